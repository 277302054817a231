import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../shared/adapters/lambda-registry';
import { systemClock } from '../shared/adapters/system-clock';
import { readEngineConfig, requireConfig } from '../shared/config/env';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { prepare } from '../shared/domain/deployment/prepare';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const dynamodb = new DynamoDBClient({});

/** The ports Prepare uses: Lambda (read, create), the table, the clock. */
export type PrepareDeps = Pick<EngineDeps, 'lambda' | 'store' | 'clock'>;

/** The `Prepare` task: lock, record, alias snapshot, create the function if missing. */
export function createHandler(deps: PrepareDeps) {
  return taskHandler('prepare', taskInput(['Prepare'] as const), ({ state }) => prepare(deps, state));
}

/** Lambda entry point. */
export const handler = lazyHandler(() => {
  const { tableName } = requireConfig(config);
  return createHandler({ lambda: new LambdaRegistryAdapter(lambda, systemClock), store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock), clock: systemClock });
});
