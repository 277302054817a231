// How the repository's own TypeScript entry points (the CLI, the bench, the stack generator) become
// one ESM file each for the project's Node.js: the repo has no TypeScript runner. Dependencies stay
// imports (resolved from node_modules); the workspace packages, TypeScript sources, are bundled in.
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleWorkspaces } from './bundle-workspaces.mjs';

/**
 * Bundles `entryPoints` ({ name: 'path/to/entry.ts' }) into `outdir`/<name>.mjs. `withStateMachine`
 * copies state-machines/deployment.asl.yml next to the bundle, where state-machines/definition.ts
 * reads it at run time.
 * @param {Record<string, string>} entryPoints
 * @param {string} outdir
 * @param {{ sourcemap?: import('esbuild').BuildOptions['sourcemap']; withStateMachine?: boolean }} [options]
 */
export async function bundleForNode(entryPoints, outdir, options = {}) {
  await build({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The project's Node.js (the `node` devDependency, which `npm run` puts first on PATH).
    target: 'node22',
    packages: 'external',
    plugins: [bundleWorkspaces],
    ...(options.sourcemap === undefined ? {} : { sourcemap: options.sourcemap }),
    logLevel: 'warning',
  });
  if (options.withStateMachine) copyFileSync('state-machines/deployment.asl.yml', `${outdir}/deployment.asl.yml`);
}
