import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchHealthAdapter } from '../shared/adapters/cloudwatch-health';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../shared/adapters/lambda-registry';
import { systemClock } from '../shared/adapters/system-clock';
import { readEngineConfig, requireConfig } from '../shared/config/env';
import { check } from '../shared/domain/deployment/check';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});

/** The ports Check uses: Lambda (GetAlias for drift), CloudWatch (DescribeAlarms), the table, the clock. Read-only on AWS. */
export type CheckDeps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock'>;

/** The `Check` task: stop flag, deadline, drift, alarms; then bake on, next step, or promote now. */
export function createHandler(deps: CheckDeps) {
  return taskHandler('check', taskInput(['Check'] as const), ({ state }) => check(deps, state));
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
