// Bundles the `fledge` CLI into dist/ so the bin starts fast and needs no TypeScript at run time.
// Runs on `npm install` and `npm pack` (prepare) and before the tests (test/global-setup.ts).
import { copyFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { cliBundleOptions } from './cli-bundle.mjs';

// Chunk names carry a hash: a stale chunk of an earlier build must not end up in the package.
rmSync('dist', { recursive: true, force: true });
await build(cliBundleOptions);
// The state machine is read at run time next to the code that loads it (state-machines/definition.ts).
copyFileSync('state-machines/deployment.asl.yml', 'dist/deployment.asl.yml');
copyFileSync('state-machines/waves.asl.yml', 'dist/waves.asl.yml');
// The stack's handlers, prebuilt for `fledge stack` from the installed package (it ships no TypeScript).
await (await import('./stack-functions.mjs')).buildStackFunctions();
// The demo's sample zips, for deploying examples/demo/ by hand (see the README's "Try it locally").
await import('./build-demo-zips.mjs');
