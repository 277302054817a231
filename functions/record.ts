import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchHealthAdapter } from '../shared/adapters/cloudwatch-health';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../shared/adapters/lambda-registry';
import { SnsNotifier } from '../shared/adapters/sns-notifier';
import { systemClock } from '../shared/adapters/system-clock';
import { readEngineConfig, requireConfig } from '../shared/config/env';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { recordDrift, recordNoChange, recordRejected, rollbackFailed } from '../shared/domain/deployment/outcomes';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});

/** The ports of the endings that change no traffic: Lambda (GetAlias only), CloudWatch (delete the alarm), the table, SNS, the clock. */
export type RecordDeps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/** The `RecordNoChange`, `RecordDrift`, `RecordRejected` and `RollbackFailed` tasks. */
export function createHandler(deps: RecordDeps) {
  return taskHandler('record', taskInput(['RecordNoChange', 'RecordDrift', 'RecordRejected', 'RollbackFailed'] as const), ({ task, state }) => {
    switch (task) {
      case 'RecordNoChange':
        return recordNoChange(deps, state);
      case 'RecordDrift':
        return recordDrift(deps, state);
      case 'RecordRejected':
        return recordRejected(deps, state);
      case 'RollbackFailed':
        return rollbackFailed(deps, state);
    }
  });
}

/** Lambda entry point. */
export const handler = lazyHandler(() => {
  const { tableName, notificationTopicArn, approvalTopicArn } = requireConfig(config);
  return createHandler({
    lambda: new LambdaRegistryAdapter(lambda, systemClock),
    health: new CloudWatchHealthAdapter(cloudwatch),
    store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
    notifier: new SnsNotifier(sns, { notifications: notificationTopicArn, ...(approvalTopicArn ? { approvals: approvalTopicArn } : {}) }),
    clock: systemClock,
  });
});
