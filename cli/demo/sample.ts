import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { DEMO_EXAMPLES } from './examples-path';

export { DEMO_EXAMPLES };

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
