import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, type Zippable } from 'fflate';

/**
 * The demo's sample function and specs, `examples/demo/`: found from this module's folder up, since
 * the module sits two levels below the repository root here (`cli/demo/`) and one in the bundled
 * CLI (`dist/`).
 */
export const DEMO_EXAMPLES = examplesFrom(dirname(fileURLToPath(import.meta.url)));

function examplesFrom(folder: string): string {
  const candidate = join(folder, 'examples', 'demo');
  if (existsSync(candidate) || dirname(folder) === folder) return `${candidate}/`;
  return examplesFrom(dirname(folder));
}

/** Releases of the sample function, each a folder of sources and a spec `hello-<release>.yaml`. */
export type Release = 'v1' | 'v2' | 'v3';

/** A fixed timestamp for every entry: the same sources always give the same zip and CodeSha256. */
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

/** Zips the sources of one release, as a build step would. */
export async function releaseZip(release: Release, root: string = DEMO_EXAMPLES): Promise<Uint8Array> {
  const folder = join(root, release);
  const entries: Zippable = {};
  for (const name of (await readdir(folder)).sort()) entries[name] = [await readFile(join(folder, name)), { mtime: FIXED_MTIME }];
  return zipSync(entries);
}

/** The spec of one release: its path and text. */
export async function releaseSpec(release: Release, root: string = DEMO_EXAMPLES): Promise<{ path: string; text: string }> {
  const path = join(root, `hello-${release}.yaml`);
  return { path, text: await readFile(path, 'utf8') };
}
