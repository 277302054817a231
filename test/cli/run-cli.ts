import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from here, so example paths read as in the README. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a finished CLI process left behind. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundled CLI (`dist/fledge.mjs`, rebuilt by the global setup) as a real process. */
export function runCli(args: readonly string[], options: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/fledge.mjs'), ...args], {
    cwd: ROOT,
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes files into a fresh temporary folder and returns their paths, in order. */
export function writeSpecs(files: Record<string, string | Uint8Array>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-cli-'));
  return Object.fromEntries(
    Object.entries(files).map(([name, content]) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return [name, path];
    }),
  );
}
