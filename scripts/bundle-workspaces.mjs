// An esbuild plugin for bundles built with `packages: 'external'`: the workspace packages
// (packages/*, e.g. @fledge-local/embedded-aws) are TypeScript sources, which Node does not run
// from node_modules, so they are bundled in rather than left as imports.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** @type {import('esbuild').Plugin} */
export const bundleWorkspaces = {
  name: 'bundle-workspaces',
  setup(build) {
    build.onResolve({ filter: /^@fledge-local\// }, (args) => ({
      // Node's own resolution, through the package's `exports`, to the source file it names.
      path: createRequire(join(args.resolveDir, 'noop.js')).resolve(args.path),
    }));
  },
};
