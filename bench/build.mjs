// `npm run bench`: bundles bench/run.ts (TypeScript, extension-less imports) into one ESM file with
// esbuild — the repo has no TypeScript runner — and runs it. Arguments are passed on, e.g.
// `npm run bench -- --only cost,reaction` or `-- --quick`.
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { bundleForNode } from '../scripts/node-bundle.mjs';

// Node 22 is the project's (the `node` devDependency, which `npm run` puts first on PATH).
if (Number(process.versions.node.split('.')[0]) < 22) {
  console.error(`bench: Node.js ${process.version}; run it with \`npm run bench\`, which uses the project's Node.js 22`);
  process.exit(2);
}

// Under node_modules/.cache: untracked, and dependencies resolve from the project's node_modules.
const outdir = 'node_modules/.cache/fledge-bench';
mkdirSync(outdir, { recursive: true });
// state-machines/definition.ts reads the state machine next to the code that loads it.
await bundleForNode({ run: 'bench/run.ts' }, outdir, { sourcemap: 'inline', withStateMachine: true });
await import(pathToFileURL(`${outdir}/run.mjs`).href);
