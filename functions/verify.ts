import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchHealthAdapter } from '../shared/adapters/cloudwatch-health';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../shared/adapters/lambda-registry';
import { systemClock } from '../shared/adapters/system-clock';
import { readEngineConfig, requireConfig } from '../shared/config/env';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { preTraffic } from '../shared/domain/deployment/pre-traffic';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});

/** The ports PreTraffic uses: Lambda (invoke the new version and the hook), CloudWatch (alarms exist), the table, the clock. */
export type VerifyDeps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock'>;

/** The `PreTraffic` task: smoke test and beforeTraffic hook on the new version, before any traffic. */
export function createHandler(deps: VerifyDeps) {
  return taskHandler('verify', taskInput(['PreTraffic'] as const), ({ state }) => preTraffic(deps, state));
}

/** Lambda entry point. */
export const handler = lazyHandler(() => {
  const { tableName } = requireConfig(config);
  return createHandler({
    lambda: new LambdaRegistryAdapter(lambda, systemClock),
    health: new CloudWatchHealthAdapter(cloudwatch),
    store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
    clock: systemClock,
  });
});
