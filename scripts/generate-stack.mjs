// `npm run generate`: writes the stack files derived from the table of engine functions
// (functions/engine-functions.ts) — serverless/engine-functions.yml and serverless/roles/engine.yml —
// with scripts/stack/. Bundled with esbuild first, as bench/build.mjs does: the repo has no
// TypeScript runner. Run from the repository root.
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// Under node_modules/.cache: untracked, and dependencies resolve from the project's node_modules.
const outdir = 'node_modules/.cache/fledge-generate';
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { write: 'scripts/stack/write.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await import(pathToFileURL(`${outdir}/write.mjs`).href);
