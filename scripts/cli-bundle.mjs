// How the `fledge` CLI is bundled into dist/: shared by scripts/build.mjs and the test that holds
// the bundle's imports to package.json (test/package/runtime-imports.test.ts).
import { nodeBundleOptions } from './node-bundle.mjs';

/** @type {import('esbuild').BuildOptions} */
export const cliBundleOptions = {
  // Dependencies stay imports, installed by npm: the package's `dependencies`, and for the embedded
  // AWS its `optionalDependencies`.
  ...nodeBundleOptions({ fledge: 'cli/main.ts' }, 'dist'),
  // What is loaded by dynamic import() — the embedded AWS, local mode and the demo — goes into
  // chunks of its own, next to fledge.mjs (modules find files by import.meta.url from dist/), which
  // only `fledge local`, `fledge local-aws` and `fledge demo` load (cli/embedded-aws-loader.ts).
  splitting: true,
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
};
