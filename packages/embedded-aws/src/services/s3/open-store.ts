import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { bucketNameProblem } from './bucket-names';
import { S3StoreError } from './errors';
import { objectSettingsFrom } from './object-headers';
import { ObjectStore } from './object-store';

// Earlier fledge versions ran s3rver, which kept <root>/buckets/<bucket>/<key>._S3rver_object,
// with ._S3rver_metadata.json (stored headers) and ._S3rver_object.md5 beside it.
const OBJECT_SUFFIX = '._S3rver_object';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function* objectFiles(directory: string): AsyncGenerator<string> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* objectFiles(path);
    else if (entry.name.endsWith(OBJECT_SUFFIX)) yield path;
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
}

/** Copies the buckets and objects of an s3rver directory into `store`; returns how many. */
async function importS3rverBuckets(legacy: string, store: ObjectStore, region: string): Promise<{ buckets: number; objects: number }> {
  let buckets = 0;
  let objects = 0;
  for (const entry of await readdir(legacy, { withFileTypes: true })) {
    if (!entry.isDirectory() || bucketNameProblem(entry.name) !== undefined) continue;
    const directory = join(legacy, entry.name);
    const created = await stat(directory);
    await store.createBucket({ name: entry.name, region, creationDate: created.birthtimeMs || created.mtimeMs });
    buckets += 1;
    for await (const path of objectFiles(directory)) {
      const key = relative(directory, path).slice(0, -OBJECT_SUFFIX.length).split(sep).join('/');
      const body = await readFile(path);
      const metadata = JSON.parse((await readIfPresent(`${path.slice(0, -OBJECT_SUFFIX.length)}._S3rver_metadata.json`)) ?? '{}') as Record<string, string>;
      const md5 = (await readIfPresent(`${path}.md5`))?.trim() ?? createHash('md5').update(body).digest('hex');
      const eTag = md5.startsWith('"') ? md5 : `"${md5}"`;
      await store.put(entry.name, { key, size: body.length, eTag, lastModified: (await stat(path)).mtimeMs, ...objectSettingsFrom(metadata) }, body);
      objects += 1;
    }
  }
  return { buckets, objects };
}

/**
 * Opens the object store under `<root>/store`. The first time, a data directory written by an
 * earlier fledge (s3rver's layout under `<root>/buckets`) is imported into it: into a directory
 * of its own first, renamed into place when complete, so an interrupted import starts over and
 * nothing is lost. The old directory is left as it was, for the user to delete.
 */
export async function openObjectStore(root: string, options: { durable: boolean; region: string; log: (message: string) => void }): Promise<ObjectStore> {
  const storeRoot = join(root, 'store');
  const legacy = join(root, 'buckets');
  if (!(await exists(storeRoot)) && (await exists(legacy))) {
    const importing = join(root, 'store.importing');
    await rm(importing, { recursive: true, force: true });
    try {
      const counts = await importS3rverBuckets(legacy, await ObjectStore.open(importing, { durable: options.durable }), options.region);
      await rename(importing, storeRoot);
      options.log(`S3: imported ${counts.objects} objects in ${counts.buckets} buckets from ${legacy} (the layout of earlier fledge versions); that directory is no longer read and can be deleted`);
    } catch (error) {
      throw new S3StoreError(`embedded S3: cannot import the objects of an earlier fledge version from ${legacy}: ${(error as Error).message}`, { cause: error });
    }
  }
  return ObjectStore.open(storeRoot, { durable: options.durable });
}
