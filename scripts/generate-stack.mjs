// `npm run generate`: writes the stack files derived from the table of engine functions
// (functions/engine-functions.ts) — serverless/engine-functions.yml and serverless/roles/engine.yml —
// with scripts/stack/. Bundled first (./node-bundle.mjs): the repo has no TypeScript runner. Run
// from the repository root.
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundleForNode } from './node-bundle.mjs';

// Under node_modules/.cache: untracked, and dependencies resolve from the project's node_modules.
const outdir = 'node_modules/.cache/fledge-generate';
mkdirSync(outdir, { recursive: true });
await bundleForNode({ write: 'scripts/stack/write.ts' }, outdir);
await import(pathToFileURL(`${outdir}/write.mjs`).href);
