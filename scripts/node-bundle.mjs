// How the repository's own TypeScript entry points (the CLI, the bench, the stack generator) become
// one ESM file each for the project's Node.js: the repo has no TypeScript runner. Dependencies stay
// imports (resolved from node_modules); the workspace packages, TypeScript sources, are bundled in.
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';
import { bundleWorkspaces } from './bundle-workspaces.mjs';

/**
 * The options every bundle of the repository shares: ESM for the project's Node.js, dependencies
 * left as imports, workspace packages bundled in.
 * @param {Record<string, string>} entryPoints
 * @param {string} outdir
 * @returns {import('esbuild').BuildOptions}
 */
export function nodeBundleOptions(entryPoints, outdir) {
  return {
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
    logLevel: 'warning',
  };
}

/**
 * Bundles `entryPoints` ({ name: 'path/to/entry.ts' }) into `outdir`/<name>.mjs. `withStateMachine`
 * copies state-machines/deployment.asl.yml (and waves.asl.yml) next to the bundle, where state-machines/definition.ts
 * reads it at run time.
 * @param {Record<string, string>} entryPoints
 * @param {string} outdir
 * @param {{ sourcemap?: import('esbuild').BuildOptions['sourcemap']; withStateMachine?: boolean }} [options]
 */
export async function bundleForNode(entryPoints, outdir, options = {}) {
  await build({ ...nodeBundleOptions(entryPoints, outdir), ...(options.sourcemap === undefined ? {} : { sourcemap: options.sourcemap }) });
  if (options.withStateMachine) {
    copyFileSync('state-machines/deployment.asl.yml', `${outdir}/deployment.asl.yml`);
    copyFileSync('state-machines/waves.asl.yml', `${outdir}/waves.asl.yml`);
  }
}
