import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BenchWorld } from './world';

/** BatchWriteItem requests in flight at once while loading. */
export const IN_FLIGHT = 8;

/**
 * Loads `items` into the control plane's table as fast as the embedded DynamoDB takes them:
 * BatchWriteItem of 25, {@link IN_FLIGHT} at once, unprocessed items sent again. Returns how many.
 */
export async function loadItems(world: BenchWorld, items: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>): Promise<number> {
  const doc = DynamoDBDocumentClient.from(world.plane.clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const table = world.plane.tableName;
  let written = 0;
  const inFlight = new Set<Promise<void>>();
  const write = async (batch: Record<string, unknown>[]): Promise<void> => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
    written += batch.length;
  };
  let batch: Record<string, unknown>[] = [];
  const flush = async (): Promise<void> => {
    const promise = write(batch).finally(() => inFlight.delete(promise));
    inFlight.add(promise);
    batch = [];
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  for await (const item of items) {
    batch.push(item);
    if (batch.length === 25) await flush();
  }
  if (batch.length) await flush();
  await Promise.all(inFlight);
  return written;
}
