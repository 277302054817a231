import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalAwsError } from '../../errors';
import { atomicWrite } from './code-store';
import type { AliasRecord, FunctionRecord, VersionRecord } from './model';

interface StoredFunction {
  readonly name: string;
  readonly nextVersion: number;
  readonly latest: VersionRecord;
  readonly versions: VersionRecord[];
  readonly aliases: AliasRecord[];
}

/** The embedded Lambda's state file could not be read back. */
export class LambdaStateError extends LocalAwsError {
  override readonly name = 'LambdaStateError';
}

const FORMAT = 1;

/** `<dataDir>/lambda/state.json`: functions, versions and aliases (code zips live beside it in `code/`). */
export function stateFilePath(dataDir: string): string {
  return join(dataDir, 'lambda', 'state.json');
}

/** Loads the functions saved by {@link saveState}; none when the file does not exist yet. */
export function loadState(dataDir: string): Map<string, FunctionRecord> {
  const path = stateFilePath(dataDir);
  const functions = new Map<string, FunctionRecord>();
  if (!existsSync(path)) return functions;
  let stored: { format?: number; functions?: StoredFunction[] };
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as typeof stored;
  } catch (error) {
    throw new LambdaStateError(`lambda: cannot read the saved state ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (stored.format !== FORMAT || !Array.isArray(stored.functions)) throw new LambdaStateError(`lambda: ${path} is not a state file of format ${FORMAT}`);
  for (const fn of stored.functions) {
    functions.set(fn.name, {
      name: fn.name,
      nextVersion: fn.nextVersion,
      latest: fn.latest,
      versions: new Map(fn.versions.map((v) => [v.version, v])),
      aliases: new Map(fn.aliases.map((a) => [a.name, a])),
    });
  }
  return functions;
}

/** Saves every function except fledge's in-process ones, which their owner registers again at start. */
export function saveState(dataDir: string, functions: ReadonlyMap<string, FunctionRecord>): void {
  const stored: StoredFunction[] = [...functions.values()]
    .filter((fn) => !fn.inProcess)
    .map((fn) => ({ name: fn.name, nextVersion: fn.nextVersion, latest: fn.latest, versions: [...fn.versions.values()], aliases: [...fn.aliases.values()] }));
  atomicWrite(stateFilePath(dataDir), JSON.stringify({ format: FORMAT, functions: stored }, null, 1));
}
