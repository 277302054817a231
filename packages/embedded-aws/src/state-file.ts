import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LocalAwsError } from './errors';

/** A service's saved state under the data directory could not be read or written. */
export class LocalStateError extends LocalAwsError {
  override readonly name = 'LocalStateError';
}

/**
 * Writes a file through a temporary name and a rename, so a crash never leaves half a file
 * behind. The bytes reach the operating system before this returns: a write the embedded AWS
 * answered survives its process being killed (SIGKILL, a crash). It is not fsynced (that costs
 * ~15 ms a write on a loaded disk), so an OS crash or power loss may lose the writes of the last
 * seconds the kernel had not flushed yet (docs/local.md, Persistence).
 */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    throw new LocalStateError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Saves `value` as JSON with {@link writeFileAtomically}. */
export function writeJsonState(path: string, value: unknown): void {
  writeFileAtomically(path, JSON.stringify(value, null, 1));
}

/**
 * Reads state saved by {@link writeJsonState}: `undefined` when the file does not exist yet; a
 * {@link LocalStateError} naming the file (and `owner`, e.g. "embedded SNS") when it is unreadable
 * or not JSON, so a user knows what to fix or delete.
 */
export function readJsonState<T>(path: string, owner: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalStateError(`${owner}: cannot read its saved state ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new LocalStateError(`${owner}: ${path} is not valid JSON; fix or delete it`, { cause: error });
  }
}
