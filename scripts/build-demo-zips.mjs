// Zips the demo's sample function (examples/demo/v1, v2, v3) into examples/demo/build/hello-vN.zip,
// the artifact.zip its specs name, so `fledge deploy examples/demo/hello-v1.yaml --local` works by
// hand right after `npm ci`. Same bytes as cli/demo/sample.ts builds in memory: entries sorted, one
// fixed timestamp, so the zips (and their CodeSha256) only change when the sources do.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';

const root = 'examples/demo';
const mtime = new Date('2026-01-01T00:00:00Z');
mkdirSync(join(root, 'build'), { recursive: true });
for (const release of ['v1', 'v2', 'v3']) {
  const folder = join(root, release);
  const entries = {};
  for (const name of readdirSync(folder).sort()) entries[name] = [readFileSync(join(folder, name)), { mtime }];
  writeFileSync(join(root, 'build', `hello-${release}.zip`), zipSync(entries));
}
