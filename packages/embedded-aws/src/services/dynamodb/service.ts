import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { replayRequest } from '../../edge';
import { LocalAwsError } from '../../errors';
import { dynamoDbFaultNames, takeFault } from '../../faults';
import { sendAwsJsonError } from '../../protocol/errors';
import type { AwsService, LocalContext } from '../../types';
import { createDynalite, type DynaliteInstance } from './dynalite';
import { HeldResponse } from './held-response';

const tableLifecycle = new Set(['CreateTable', 'UpdateTable', 'DeleteTable']);

function tableNameOf(body: Buffer): string | undefined {
  try {
    const name = (JSON.parse(body.toString('utf8')) as { TableName?: unknown }).TableName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Waits (briefly, as dynalite's status changes are 0 ms timers plus one write) until a table reaches `status`, or is gone for undefined. */
async function settled(database: DynaliteInstance, tableName: string, status: 'ACTIVE' | undefined): Promise<void> {
  const deadline = Date.now() + 2_000;
  while ((await database.tableStatus(tableName)) !== status && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The DynamoDB service could not open or close its database. */
export class DynamoDbStoreError extends LocalAwsError {
  override readonly name = 'DynamoDbStoreError';
}

/**
 * DynamoDB (awsJson1_0) on dynalite, in process: in memory, or under `<dataDir>/dynamodb` as a
 * leveldb database when the embedded AWS has a data directory. Tables are ACTIVE at once.
 * Faults are matched on the operation named by `X-Amz-Target` (`DynamoDB_20120810.PutItem`).
 */
export function createDynamoDbService(context: LocalContext): AwsService {
  let database: DynaliteInstance | undefined;
  // Requests dynalite is still answering: closing under one makes dynalite throw outside any
  // caller ("Database is closed"), so stop waits for them.
  const inFlight = new Set<Promise<void>>();
  const track = (response: ServerResponse): void => {
    // Done when dynalite answers (it calls end() after its store work), not when the client goes
    // away: a closed connection says nothing about the leveldb writes still under way for it.
    const done = new Promise<void>((resolve) => {
      const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
      response.end = ((...args: unknown[]) => {
        resolve();
        return end(...args);
      }) as ServerResponse['end'];
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  const path = context.dataDir === undefined ? undefined : join(context.dataDir, 'dynamodb');
  return {
    signingName: 'dynamodb',
    async start() {
      const opening = createDynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, region: context.region, accountId: context.accountId });
      try {
        await opening.opened();
      } catch (error) {
        const cause = (error as { cause?: { code?: unknown } }).cause;
        const reason = cause?.code === 'LEVEL_LOCKED' ? 'it is in use by another process (one embedded AWS per data directory)' : (error as Error).message;
        throw new DynamoDbStoreError(`DynamoDB: cannot open the database${path ? ` at ${path}` : ''}: ${reason}`, { cause: error });
      }
      database = opening;
    },
    async handle(request, response, body) {
      if (!database) throw new DynamoDbStoreError('DynamoDB: the service is not started');
      const target = request.headers['x-amz-target'];
      const operation = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : '';
      const fault = await takeFault(context, 'dynamodb', operation, dynamoDbFaultNames(operation));
      if (fault) return sendAwsJsonError(response, { ...fault, code: `com.amazonaws.dynamodb.v20120810#${fault.code}` });
      track(response);
      if (!tableLifecycle.has(operation)) return database.handle(replayRequest(request, body), response);
      // dynalite answers CreateTable (and UpdateTable, DeleteTable) first and flips the table's
      // status a moment later; hold the answer until it has, so a table is usable as soon as
      // CreateTable returns, as the docs promise, even for a client that does not wait for it.
      const held = new HeldResponse();
      database.handle(replayRequest(request, body), held as unknown as ServerResponse);
      await held.ended;
      const tableName = tableNameOf(body);
      if (held.succeeded && tableName !== undefined) await settled(database, tableName, operation === 'DeleteTable' ? undefined : 'ACTIVE');
      held.sendTo(response);
    },
    async stop() {
      const closing = database;
      database = undefined;
      // Bounded: a request whose client went away still ends, but never holds the stop for long.
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      try {
        await closing?.close();
      } catch (error) {
        throw new DynamoDbStoreError(`DynamoDB: cannot close the database${path ? ` at ${path}` : ''}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
