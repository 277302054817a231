import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { S3StoreError, s3Errors } from './errors';
import { compareKeys } from './listing';
import { commitFile, encodeObjectFile, isTemporaryFile, readJsonFile, readObjectFile, readObjectHeader, stageFile, syncDirectory, writeFileAtomically } from './object-file';

/** An object as the embedded S3 keeps it (the header of its object file). */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 sends it: `"<md5 hex>"`, or `"<md5 of the parts' md5s>-<parts>"` after a multipart upload. */
  readonly eTag: string;
  /** Simulated epoch milliseconds. */
  readonly lastModified: number;
  readonly contentType: string;
  /** The other headers S3 stores and returns: `cache-control`, `content-disposition`, `content-encoding`, `content-language`, `expires`, `x-amz-website-redirect-location`. */
  readonly headers: Readonly<Record<string, string>>;
  /** User metadata: lower-case names without `x-amz-meta-`. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly storageClass: string;
}

/** A bucket as the embedded S3 keeps it. */
export interface StoredBucket {
  readonly name: string;
  /** Simulated epoch milliseconds. */
  readonly creationDate: number;
  /** The bucket's region (the embedded AWS's own unless created with another LocationConstraint). */
  readonly region: string;
}

/** A multipart upload in progress: what the object will be, less what its parts decide. */
export interface StoredUpload {
  readonly uploadId: string;
  readonly initiated: number;
  readonly object: Omit<StoredObject, 'size' | 'eTag' | 'lastModified'>;
}

/** One uploaded part of a multipart upload. */
export interface StoredPart {
  readonly partNumber: number;
  readonly size: number;
  /** Quoted MD5 hex of the part. */
  readonly eTag: string;
  readonly lastModified: number;
}

interface BucketEntry {
  readonly bucket: StoredBucket;
  readonly directory: string;
  readonly objects: Map<string, StoredObject>;
  /** {@link objects} in listing order; rebuilt on the first listing after a key is added or removed. */
  sorted: StoredObject[] | undefined;
  readonly uploads: Map<string, { readonly upload: StoredUpload; readonly parts: Map<number, StoredPart> }>;
}

const BUCKET_FILE = 'bucket.json';
const UPLOAD_FILE = 'upload.json';
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The quoted MD5 ETag S3 gives a body uploaded in one piece. */
export function md5ETag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/**
 * Buckets, objects and multipart uploads on disk under one directory, indexed in memory:
 *
 * ```
 * <root>/<bucket>/bucket.json                   name, creation date, region
 * <root>/<bucket>/objects/<sha256 of the key>   one object file per object: header (key, metadata) + body
 * <root>/<bucket>/uploads/<uploadId>/…          upload.json and part-<n> object files
 * ```
 *
 * Files are named by hashes, never by keys, so any key S3 allows (`..`, `a` next to `a/b`, 1024
 * bytes) is stored as it is. Every change is one rename (object files) or one directory rename
 * (buckets), made under the bucket's lock, and the index changes only after it succeeded: a
 * reader or a restart sees each object either as it was or as it became. With `durable`, every
 * change is flushed to disk before it is answered.
 */
export class ObjectStore {
  private readonly buckets = new Map<string, BucketEntry>();
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(private readonly root: string, private readonly durable: boolean) {}

  /** Opens (creating it if absent) the store under `root`, loading its index and clearing what interrupted writes left. */
  static async open(root: string, options: { durable: boolean }): Promise<ObjectStore> {
    const store = new ObjectStore(root, options.durable);
    await mkdir(root, { recursive: true });
    for (const entry of await readdir(root, { withFileTypes: true })) {
      const path = join(root, entry.name);
      // Bucket names never start with a dot: these are buckets half created or half deleted.
      if (entry.name.startsWith('.')) await rm(path, { recursive: true, force: true });
      else if (entry.isDirectory()) await store.loadBucket(path);
    }
    return store;
  }

  private async loadBucket(directory: string): Promise<void> {
    const bucket = await readJsonFile<StoredBucket>(join(directory, BUCKET_FILE));
    if (!bucket) throw new S3StoreError(`embedded S3: ${directory} has no ${BUCKET_FILE}; move it out of the data directory`);
    const entry: BucketEntry = { bucket, directory, objects: new Map(), sorted: undefined, uploads: new Map() };
    for (const name of await readdir(join(directory, 'objects'))) {
      const path = join(directory, 'objects', name);
      if (isTemporaryFile(name)) await rm(path, { force: true });
      else {
        const object = await readObjectHeader<StoredObject>(path);
        entry.objects.set(object.key, object);
      }
    }
    for (const uploadId of await readdir(join(directory, 'uploads'))) {
      const path = join(directory, 'uploads', uploadId);
      const upload = await readJsonFile<StoredUpload>(join(path, UPLOAD_FILE));
      if (!upload) {
        await rm(path, { recursive: true, force: true }); // created or completed half-way
        continue;
      }
      const parts = new Map<number, StoredPart>();
      for (const name of await readdir(path)) {
        if (isTemporaryFile(name)) await rm(join(path, name), { force: true });
        else if (name.startsWith('part-')) {
          const part = await readObjectHeader<StoredPart>(join(path, name));
          parts.set(part.partNumber, part);
        }
      }
      entry.uploads.set(uploadId, { upload, parts });
    }
    this.buckets.set(entry.bucket.name, entry);
  }

  /** Runs `change` after every change to `bucket` begun before it has finished. */
  private async locked<T>(bucket: string, change: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(bucket) ?? Promise.resolve();
    const next = previous.then(change, change);
    const tail = next.catch(() => undefined);
    this.locks.set(bucket, tail);
    void tail.then(() => {
      if (this.locks.get(bucket) === tail) this.locks.delete(bucket);
    });
    return next;
  }

  private entry(bucket: string): BucketEntry {
    const entry = this.buckets.get(bucket);
    if (!entry) throw s3Errors.noSuchBucket(bucket);
    return entry;
  }

  private objectPath(entry: BucketEntry, key: string): string {
    return join(entry.directory, 'objects', createHash('sha256').update(key, 'utf8').digest('hex'));
  }

  private async synced(directory: string): Promise<void> {
    if (this.durable) await syncDirectory(directory);
  }

  /** All buckets, by name. */
  listBuckets(): StoredBucket[] {
    return [...this.buckets.values()].map((entry) => entry.bucket).sort((a, b) => compareKeys(a.name, b.name));
  }

  bucket(name: string): StoredBucket | undefined {
    return this.buckets.get(name)?.bucket;
  }

  /** Creates a bucket (its name must be valid); false when it existed already. */
  createBucket(bucket: StoredBucket): Promise<boolean> {
    return this.locked(bucket.name, async () => {
      if (this.buckets.has(bucket.name)) return false;
      const directory = join(this.root, bucket.name);
      const building = join(this.root, `.creating-${bucket.name}-${randomBytes(6).toString('hex')}`);
      try {
        await mkdir(join(building, 'objects'), { recursive: true });
        await mkdir(join(building, 'uploads'));
        await writeFileAtomically(join(building, BUCKET_FILE), Buffer.from(JSON.stringify(bucket)), this.durable);
        await rename(building, directory);
        await this.synced(this.root);
      } catch (error) {
        await rm(building, { recursive: true, force: true });
        throw new S3StoreError(`embedded S3: cannot create ${directory}: ${(error as Error).message}`, { cause: error });
      }
      this.buckets.set(bucket.name, { bucket, directory, objects: new Map(), sorted: undefined, uploads: new Map() });
      return true;
    });
  }

  /** Deletes an empty bucket, with its multipart uploads in progress. */
  deleteBucket(name: string): Promise<void> {
    return this.locked(name, async () => {
      const entry = this.entry(name);
      if (entry.objects.size > 0) throw s3Errors.bucketNotEmpty(name);
      const doomed = join(this.root, `.deleting-${name}-${randomBytes(6).toString('hex')}`);
      try {
        await rename(entry.directory, doomed);
        await this.synced(this.root);
      } catch (error) {
        throw new S3StoreError(`embedded S3: cannot delete ${entry.directory}: ${(error as Error).message}`, { cause: error });
      }
      this.buckets.delete(name);
      await rm(doomed, { recursive: true, force: true });
    });
  }

  /** The bucket's objects in listing order. */
  sortedObjects(bucket: string): readonly StoredObject[] {
    const entry = this.entry(bucket);
    entry.sorted ??= [...entry.objects.values()].sort((a, b) => compareKeys(a.key, b.key));
    return entry.sorted;
  }

  /** An object's metadata, from the index. */
  head(bucket: string, key: string): StoredObject | undefined {
    return this.entry(bucket).objects.get(key);
  }

  /** An object and its body, read from one file (so the two always belong together). */
  async read(bucket: string, key: string): Promise<{ object: StoredObject; body: Buffer } | undefined> {
    const entry = this.entry(bucket);
    if (!entry.objects.has(key)) return undefined;
    const file = await readObjectFile<StoredObject>(this.objectPath(entry, key));
    return file && { object: file.header, body: file.body };
  }

  /**
   * Stores an object, replacing any object of that key. `precondition` sees the object it would
   * replace and throws to refuse (conditional writes); it is checked again under the bucket's
   * lock. The body is written and flushed before the lock is taken, so puts of different objects
   * are written in parallel and only their renames take turns.
   */
  async put(bucket: string, object: StoredObject, body: Buffer, precondition?: (existing: StoredObject | undefined) => void): Promise<void> {
    const entry = this.entry(bucket);
    precondition?.(entry.objects.get(object.key));
    const path = this.objectPath(entry, object.key);
    const staged = await stageFile(path, encodeObjectFile(object, body), this.durable);
    try {
      await this.locked(bucket, async () => {
        // Deleted (and perhaps created again) while the body was written: the staged file went with it.
        if (this.buckets.get(bucket) !== entry) throw s3Errors.noSuchBucket(bucket);
        precondition?.(entry.objects.get(object.key));
        await commitFile(staged, path, this.durable);
        this.index(entry, object);
      });
    } finally {
      await rm(staged, { force: true });
    }
  }

  private index(entry: BucketEntry, object: StoredObject): void {
    if (!entry.objects.has(object.key)) entry.sorted = undefined;
    else if (entry.sorted) entry.sorted = entry.sorted.map((listed) => (listed.key === object.key ? object : listed));
    entry.objects.set(object.key, object);
  }

  /** Removes an object; resolves to what was removed, undefined when there was nothing. */
  remove(bucket: string, key: string): Promise<StoredObject | undefined> {
    return this.locked(bucket, async () => {
      const entry = this.entry(bucket);
      const existing = entry.objects.get(key);
      if (!existing) return undefined;
      const path = this.objectPath(entry, key);
      try {
        await unlink(path);
        await this.synced(join(entry.directory, 'objects'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new S3StoreError(`embedded S3: cannot delete ${path}: ${(error as Error).message}`, { cause: error });
      }
      entry.objects.delete(key);
      entry.sorted = undefined;
      return existing;
    });
  }

  /** Starts a multipart upload. */
  createUpload(bucket: string, upload: StoredUpload): Promise<void> {
    return this.locked(bucket, async () => {
      const entry = this.entry(bucket);
      const directory = join(entry.directory, 'uploads', upload.uploadId);
      await mkdir(directory);
      await writeFileAtomically(join(directory, UPLOAD_FILE), Buffer.from(JSON.stringify(upload)), this.durable);
      await this.synced(join(entry.directory, 'uploads'));
      entry.uploads.set(upload.uploadId, { upload, parts: new Map() });
    });
  }

  /** An upload in progress and its parts so far. */
  upload(bucket: string, uploadId: string): { readonly upload: StoredUpload; readonly parts: ReadonlyMap<number, StoredPart> } | undefined {
    return UPLOAD_ID.test(uploadId) ? this.entry(bucket).uploads.get(uploadId) : undefined;
  }

  /** Stores (or replaces) one part of an upload in progress. */
  putPart(bucket: string, uploadId: string, key: string, part: StoredPart, body: Buffer): Promise<void> {
    return this.locked(bucket, async () => {
      const upload = this.upload(bucket, uploadId);
      if (!upload || upload.upload.object.key !== key) throw s3Errors.noSuchUpload(uploadId);
      const path = join(this.entry(bucket).directory, 'uploads', uploadId, `part-${part.partNumber}`);
      await writeFileAtomically(path, encodeObjectFile(part, body), this.durable);
      (upload.parts as Map<number, StoredPart>).set(part.partNumber, part);
    });
  }

  /**
   * Completes an upload: `assemble` chooses and checks the parts (under the lock, so no part
   * changes meanwhile) and returns the object; its body is the chosen parts in order.
   */
  completeUpload(bucket: string, uploadId: string, key: string, assemble: (upload: StoredUpload, parts: ReadonlyMap<number, StoredPart>) => { object: StoredObject; parts: readonly number[] }): Promise<StoredObject> {
    return this.locked(bucket, async () => {
      const entry = this.entry(bucket);
      const upload = this.upload(bucket, uploadId);
      if (!upload || upload.upload.object.key !== key) throw s3Errors.noSuchUpload(uploadId);
      const { object, parts } = assemble(upload.upload, upload.parts);
      const directory = join(entry.directory, 'uploads', uploadId);
      const bodies: Buffer[] = [];
      for (const partNumber of parts) {
        const file = await readObjectFile<StoredPart>(join(directory, `part-${partNumber}`));
        if (!file) throw new S3StoreError(`embedded S3: part ${partNumber} of upload ${uploadId} is missing from ${directory}`);
        bodies.push(file.body);
      }
      await writeFileAtomically(this.objectPath(entry, key), encodeObjectFile(object, Buffer.concat(bodies)), this.durable);
      this.index(entry, object);
      entry.uploads.delete(uploadId);
      await this.removeUploadDirectory(directory);
      return object;
    });
  }

  /** Aborts an upload in progress, dropping its parts. */
  abortUpload(bucket: string, uploadId: string, key: string): Promise<void> {
    return this.locked(bucket, async () => {
      const entry = this.entry(bucket);
      const upload = this.upload(bucket, uploadId);
      if (!upload || upload.upload.object.key !== key) throw s3Errors.noSuchUpload(uploadId);
      entry.uploads.delete(uploadId);
      await this.removeUploadDirectory(join(entry.directory, 'uploads', uploadId));
    });
  }

  // upload.json goes first: a restart finds an upload without it gone, whatever else is left.
  private async removeUploadDirectory(directory: string): Promise<void> {
    await rm(join(directory, UPLOAD_FILE), { force: true });
    await this.synced(directory);
    await rm(directory, { recursive: true, force: true });
  }
}
