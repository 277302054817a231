import { execFileSync } from 'node:child_process';

/** Rebuilds the CLI bundle once per test run, so CLI tests always exercise the current code. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
