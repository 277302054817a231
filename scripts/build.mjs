// Bundles the `fledge` CLI into dist/ so the bin starts fast and needs no TypeScript at run time.
// Runs on `npm install` (prepare) and before the tests (test/global-setup.ts).
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleWorkspaces } from './bundle-workspaces.mjs';

await build({
  entryPoints: { fledge: 'cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  plugins: [bundleWorkspaces],
  sourcemap: 'linked',
  logLevel: 'warning',
});
// The state machine is read at run time next to the code that loads it (state-machines/definition.ts).
copyFileSync('state-machines/deployment.asl.yml', 'dist/deployment.asl.yml');
// The demo's sample zips, for deploying examples/demo/ by hand (see the README's "Try it locally").
await import('./build-demo-zips.mjs');
