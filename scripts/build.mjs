// Bundles the `fledge` CLI into dist/ so the bin starts fast and needs no TypeScript at run time.
// Runs on `npm install` (prepare) and before the tests (test/global-setup.ts).
import { build } from 'esbuild';

await build({
  entryPoints: { fledge: 'cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
