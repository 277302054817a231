import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchHealthAdapter } from '../shared/adapters/cloudwatch-health';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../shared/adapters/lambda-registry';
import { systemClock } from '../shared/adapters/system-clock';
import { readEngineConfig, requireConfig, stageOf } from '../shared/config/env';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { publish } from '../shared/domain/deployment/publish';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});

/** The ports Publish uses: Lambda (update, publish), CloudWatch (the version's alarm), the table, the clock; the stage names the alarm. */
export type PublishDeps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'stage'>;

/** The `Publish` task: configuration, code, wait, guarded publish, the new version's alarm. */
export function createHandler(deps: PublishDeps) {
  return taskHandler('publish', taskInput(['Publish'] as const), ({ state }) => publish(deps, state));
}

/** Lambda entry point. */
export const handler = lazyHandler(() => {
  const checked = requireConfig(config);
  const { tableName } = checked;
  return createHandler({
    stage: stageOf(checked),
    lambda: new LambdaRegistryAdapter(lambda, systemClock),
    health: new CloudWatchHealthAdapter(cloudwatch),
    store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
    clock: systemClock,
  });
});
