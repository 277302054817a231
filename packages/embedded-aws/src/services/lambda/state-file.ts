import { join } from 'node:path';
import { LocalStateError, readJsonState, writeJsonState } from '../../state-file';
import type { AliasRecord, EventInvokeConfigRecord, FunctionRecord, ProvisionedConcurrencyRecord, VersionRecord } from './model';

interface StoredFunction {
  readonly name: string;
  readonly nextVersion: number;
  readonly latest: VersionRecord;
  readonly versions: VersionRecord[];
  readonly aliases: AliasRecord[];
  readonly tags?: Readonly<Record<string, string>>;
  /** [qualifier, config] pairs; absent in files written before EventInvokeConfig existed. */
  readonly eventInvokeConfigs?: [string, EventInvokeConfigRecord][];
  /** [qualifier, config] pairs; absent in files written before provisioned concurrency existed. */
  readonly provisionedConcurrency?: [string, ProvisionedConcurrencyRecord][];
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
  const stored = readJsonState<{ format?: number; functions?: StoredFunction[] }>(path, 'embedded Lambda');
  if (!stored) return functions;
  if (stored.format !== FORMAT || !Array.isArray(stored.functions)) throw new LocalStateError(`embedded Lambda: ${path} is not a state file of format ${FORMAT}; fix or delete it`);
  for (const fn of stored.functions) {
    functions.set(fn.name, {
      name: fn.name,
      nextVersion: fn.nextVersion,
      latest: fn.latest,
      versions: new Map(fn.versions.map((v) => [v.version, v])),
      aliases: new Map(fn.aliases.map((a) => [a.name, a])),
      ...(fn.tags ? { tags: fn.tags } : {}),
      ...(fn.eventInvokeConfigs ? { eventInvokeConfigs: new Map(fn.eventInvokeConfigs) } : {}),
      ...(fn.provisionedConcurrency ? { provisionedConcurrency: new Map(fn.provisionedConcurrency) } : {}),
    });
  }
  return functions;
}

/** Saves every function except fledge's in-process ones, which their owner registers again at start. */
export function saveState(dataDir: string, functions: ReadonlyMap<string, FunctionRecord>): void {
  const stored: StoredFunction[] = [...functions.values()]
    .filter((fn) => !fn.inProcess)
    .map((fn) => ({
      name: fn.name,
      nextVersion: fn.nextVersion,
      latest: fn.latest,
      versions: [...fn.versions.values()],
      aliases: [...fn.aliases.values()],
      ...(fn.tags ? { tags: fn.tags } : {}),
      ...(fn.eventInvokeConfigs && fn.eventInvokeConfigs.size > 0 ? { eventInvokeConfigs: [...fn.eventInvokeConfigs] } : {}),
      ...(fn.provisionedConcurrency && fn.provisionedConcurrency.size > 0 ? { provisionedConcurrency: [...fn.provisionedConcurrency] } : {}),
    }));
  writeJsonState(stateFilePath(dataDir), { format: FORMAT, functions: stored });
}
