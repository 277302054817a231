import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3StoreError } from './errors';

// An object file is `FS3\x01`, the header's length (UInt32BE), the header as JSON, then the body:
// one file per object, so one rename replaces metadata and content together, and a reader that
// opened it sees one consistent version even while a writer replaces it.
const MAGIC = Buffer.from('FS3\x01', 'latin1');
const PREFIX_BYTES = MAGIC.length + 4;

/** Encodes a header and a body as one object file. */
export function encodeObjectFile(header: unknown, body: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix);
  prefix.writeUInt32BE(json.length, MAGIC.length);
  return Buffer.concat([prefix, json, body]);
}

function headerLength(prefix: Buffer, path: string): number {
  if (prefix.length < PREFIX_BYTES || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new S3StoreError(`embedded S3: ${path} is not an object file of the embedded S3; move it out of the data directory`);
  }
  return prefix.readUInt32BE(MAGIC.length);
}

function parseHeader<T>(json: Buffer, path: string): T {
  try {
    return JSON.parse(json.toString('utf8')) as T;
  } catch (error) {
    throw new S3StoreError(`embedded S3: the header of ${path} is damaged; delete the file to drop that object`, { cause: error });
  }
}

/** Reads a whole object file: undefined when it does not exist (any more). */
export async function readObjectFile<T>(path: string): Promise<{ header: T; body: Buffer } | undefined> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new S3StoreError(`embedded S3: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const length = headerLength(file, path);
  if (file.length < PREFIX_BYTES + length) throw new S3StoreError(`embedded S3: ${path} is truncated; delete the file to drop that object`);
  return { header: parseHeader<T>(file.subarray(PREFIX_BYTES, PREFIX_BYTES + length), path), body: file.subarray(PREFIX_BYTES + length) };
}

/** Reads a JSON file the store wrote: undefined when it does not exist. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new S3StoreError(`embedded S3: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new S3StoreError(`embedded S3: ${path} is not valid JSON; fix or delete it`, { cause: error });
  }
}

/** Reads only the header of an object file (loading the index at start must not read every body). */
export async function readObjectHeader<T>(path: string): Promise<T> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw new S3StoreError(`embedded S3: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  });
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    const { bytesRead } = await handle.read(prefix, 0, PREFIX_BYTES, 0);
    const length = headerLength(prefix.subarray(0, bytesRead), path);
    const json = Buffer.alloc(length);
    const read = await handle.read(json, 0, length, PREFIX_BYTES);
    if (read.bytesRead < length) throw new S3StoreError(`embedded S3: ${path} is truncated; delete the file to drop that object`);
    return parseHeader<T>(json, path);
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to a temporary file next to `path` (flushed to disk with `durable`) and returns
 * its name, for {@link commitFile} to put in place. Slow writes of large bodies happen here, so
 * that only the rename needs to be serialised.
 */
export async function stageFile(path: string, data: Buffer, durable: boolean): Promise<string> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    return temporary;
  } catch (error) {
    await rm(temporary, { force: true });
    throw new S3StoreError(`embedded S3: cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Renames a staged file over `path`: readers and a restart see the old file or the new one, never
 * half of either. With `durable`, the directory entry is flushed to disk before it resolves, so a
 * write that was answered survives the process being killed, and the machine losing power too.
 */
export async function commitFile(temporary: string, path: string, durable: boolean): Promise<void> {
  try {
    await rename(temporary, path);
    if (durable) await syncDirectory(dirname(path));
  } catch (error) {
    await rm(temporary, { force: true });
    throw new S3StoreError(`embedded S3: cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** {@link stageFile} then {@link commitFile}. */
export async function writeFileAtomically(path: string, data: Buffer, durable: boolean): Promise<void> {
  await commitFile(await stageFile(path, data, durable), path, durable);
}

/** Flushes a directory's entries (a rename or an unlink in it) to disk. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whether a directory entry is a temporary file {@link stageFile} left behind when killed mid-write. */
export function isTemporaryFile(name: string): boolean {
  return /\.[0-9a-f]{12}\.tmp$/.test(name);
}
