// The stack's function handlers prebuilt for the published package (dist/stack/functions/), which
// holds no TypeScript: `fledge stack package|deploy` from an installed fledge-deploy lets osls and
// serverless-esbuild bundle these instead of functions/*.ts (cli/stack/). Entry points are read from
// the handlers serverless.yml names; shared code is split into chunks, so the SDK is there once.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

/** Where the prebuilt handlers go: `dist/stack/functions/<name>.js`, as `functions/<name>.handler` names them. */
export const STACK_FUNCTIONS_DIR = 'dist/stack/functions';

/** The handler modules serverless.yml deploys: `functions/prepare`, … */
export function stackHandlerModules() {
  const files = ['serverless/engine-functions.yml', 'serverless/functions.yml'];
  return [...new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^\s+handler:\s*(functions\/[\w-]+)\.handler\s*$/gm)].map((match) => match[1])))];
}

/** Bundles every handler with its dependencies (the Lambda bundles' settings, without the banner serverless-esbuild adds). */
export async function buildStackFunctions() {
  await build({
    entryPoints: Object.fromEntries(stackHandlerModules().map((module) => [module.slice('functions/'.length), `${module}.ts`])),
    outdir: STACK_FUNCTIONS_DIR,
    // .js: serverless-esbuild looks for a handler's module as .ts or .js (the work folder is "type": "module").
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
}
