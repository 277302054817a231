import type { BuildOptions } from 'esbuild';

/** How the `fledge` CLI is bundled into dist/ (scripts/cli-bundle.mjs). */
export declare const cliBundleOptions: BuildOptions & { outdir: string };
