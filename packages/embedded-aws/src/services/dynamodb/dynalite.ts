import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

// dynalite 4.0.0 ships no types; these are the parts fledge relies on (pinned exactly in package.json).
interface DynaliteOptions {
  readonly path?: string;
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}
interface DynaliteStore {
  readonly tableDb: { awsRegion: string; awsAccountId: string };
  readonly lifecycleManager?: { gracefulClose(callback: (error?: Error | null) => void): void };
  readonly db: { open(): Promise<void>; close(callback: (error?: Error | null) => void): void };
  getTable(name: string, checkStatus: false, callback: (error: (Error & { name: string }) | null, table?: DynaliteTable) => void): void;
}
interface DynaliteTable {
  readonly TableStatus: string;
  readonly GlobalSecondaryIndexes?: readonly { readonly IndexStatus: string }[];
}
interface DynaliteDbModule {
  create(options: DynaliteOptions): DynaliteStore;
}

const require = createRequire(import.meta.url);

/** One dynalite database driven in-process: its HTTP request listener, and how to close its store. */
export interface DynaliteInstance {
  readonly handle: (request: IncomingMessage, response: ServerResponse) => void;
  /**
   * Resolves once the database is open. Must be awaited before the first request: dynalite
   * throws an uncaught exception on a request to a database that failed to open (e.g. a LevelDB
   * directory locked by another process).
   */
  opened(): Promise<void>;
  /** `ACTIVE` once the table and all its indexes are, `CREATING`/`UPDATING`/`DELETING` before, undefined when absent. */
  tableStatus(name: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * Creates a dynalite database without letting it listen anywhere: the edge hands requests to its
 * request listener directly. dynalite's own `server.close()` refuses to close the store of a
 * server that never listened, so the store is captured when dynalite creates it, and closed
 * here; closing matters with a `path` (leveldb holds a lock on its directory until closed).
 */
export function createDynalite(options: DynaliteOptions & { region: string; accountId: string }): DynaliteInstance {
  const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
  const dbModule = require('dynalite/db') as DynaliteDbModule;
  const originalCreate = dbModule.create;
  let store: DynaliteStore | undefined;
  dbModule.create = (storeOptions) => (store = originalCreate(storeOptions));
  let server: Server;
  try {
    server = dynalite({ path: options.path, createTableMs: options.createTableMs, deleteTableMs: options.deleteTableMs, updateTableMs: options.updateTableMs });
  } finally {
    dbModule.create = originalCreate;
  }
  const captured = store;
  if (!captured) throw new Error('dynalite did not create its store through dynalite/db (unexpected dynalite version?)');
  // dynalite reads region and account from the environment at creation; use the embedded AWS's instead.
  captured.tableDb.awsRegion = options.region;
  captured.tableDb.awsAccountId = options.accountId;
  const listener = server.listeners('request')[0] as ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  if (!listener) throw new Error('dynalite created no request listener (unexpected dynalite version?)');
  return {
    handle: listener,
    opened: () => captured.db.open(),
    tableStatus: (name) =>
      new Promise((resolve, reject) => {
        captured.getTable(name, false, (error, table) => {
          if (error) return error.name === 'NotFoundError' ? resolve(undefined) : reject(error);
          const indexes = table?.GlobalSecondaryIndexes ?? [];
          resolve(table?.TableStatus === 'ACTIVE' && indexes.some((index) => index.IndexStatus !== 'ACTIVE') ? 'UPDATING' : table?.TableStatus);
        });
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error | null): void => (error ? reject(error) : resolve());
        if (captured.lifecycleManager) captured.lifecycleManager.gracefulClose(done);
        else captured.db.close(done);
      }),
  };
}
