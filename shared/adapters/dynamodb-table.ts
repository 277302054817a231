import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The deployments table: one table for records, history, locks and approvals (docs/engine.md).
 *
 * | item       | PK                    | SK          |
 * | ---------- | --------------------- | ----------- |
 * | deployment | `DEP#<id>`            | `META`      |
 * | event      | `DEP#<id>`            | `EV#<key>`  |
 * | lock       | `LOCK#<fn>#<alias>`   | `LOCK`      |
 * | approval   | `APPROVAL#<id>`       | `APPROVAL`  |
 *
 * Deployment items also carry one partition key per listing index and the shared sort key
 * `GSISK = <createdAt ISO>#<id>`, so every listing is one Query, newest first, whose cost does
 * not depend on the size of the history.
 */
export const LISTING_INDEXES = {
  /** Every deployment of a function. */
  byFunction: 'GSI1PK',
  /** …of one alias of a function. */
  byFunctionAlias: 'GSI2PK',
  /** …of a function in one status. */
  byFunctionStatus: 'GSI3PK',
  /** …of one alias in one status. */
  byFunctionAliasStatus: 'GSI4PK',
  /** Every deployment in one status (e.g. all RUNNING). */
  byStatus: 'GSI5PK',
  /** Every deployment. A single partition is fine at deployment rates (far below 1,000 writes/s). */
  all: 'GSI6PK',
} as const;

/**
 * The delivery metrics' index: sparse (only ended deployments carry its keys, written with the
 * terminal status), one partition per month the deployment ended in (`ENDED#2026-11`), sorted by
 * `<function>#<ended ISO>#<id>` — so one function's endings in a window are one key range, and
 * every function's are the window's months. It projects only the fields the metrics read.
 */
export const ENDINGS_INDEX = {
  name: 'byEndedMonth',
  partitionKey: 'GSI7PK',
  sortKey: 'GSI7SK',
  projected: ['deploymentId', 'functionName', 'alias', 'status', 'createdAt', 'endedAt', 'tookTraffic', 'failureDetectedAt'],
} as const;

/** Sort key attribute shared by every listing index. */
export const LISTING_SORT_KEY = 'GSISK';

/** TTL attribute (epoch seconds): locks and decided approvals expire on their own. */
export const TTL_ATTRIBUTE = 'ttl';

/** CreateTable input for the deployments table (on-demand billing). */
export function deploymentTableDefinition(tableName: string): CreateTableCommandInput {
  const indexes = Object.entries(LISTING_INDEXES);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
      { AttributeName: LISTING_SORT_KEY, AttributeType: 'S' },
      ...indexes.map(([, attribute]) => ({ AttributeName: attribute, AttributeType: 'S' as const })),
      { AttributeName: ENDINGS_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: ENDINGS_INDEX.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      ...indexes.map(([name, attribute]) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: attribute, KeyType: 'HASH' as const },
          { AttributeName: LISTING_SORT_KEY, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
      {
        IndexName: ENDINGS_INDEX.name,
        KeySchema: [
          { AttributeName: ENDINGS_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: ENDINGS_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...ENDINGS_INDEX.projected] },
      },
    ],
  };
}
