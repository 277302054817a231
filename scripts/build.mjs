// Bundles the `fledge` CLI into dist/ so the bin starts fast and needs no TypeScript at run time.
// Runs on `npm install` (prepare) and before the tests (test/global-setup.ts).
import { bundleForNode } from './node-bundle.mjs';

// The state machine is read at run time next to the code that loads it (state-machines/definition.ts).
await bundleForNode({ fledge: 'cli/main.ts' }, 'dist', { sourcemap: 'linked', withStateMachine: true });
// The demo's sample zips, for deploying examples/demo/ by hand (see the README's "Try it locally").
await import('./build-demo-zips.mjs');
