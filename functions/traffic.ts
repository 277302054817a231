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
import { nextStep } from '../shared/domain/deployment/next-step';
import { promote } from '../shared/domain/deployment/promote';
import { rollback } from '../shared/domain/deployment/rollback';
import { lazyHandler } from './lib/lazy';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});

/**
 * The ports of the three states that move traffic — the only function allowed to UpdateAlias:
 * Lambda (aliases, afterTraffic hook, version cleanup), CloudWatch (delete the alarm), the table,
 * SNS (rollback notices), the clock.
 */
export type TrafficDeps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/** The `NextStep`, `Promote` and `Rollback` tasks. */
export function createHandler(deps: TrafficDeps) {
  return taskHandler('traffic', taskInput(['NextStep', 'Promote', 'Rollback'] as const), ({ task, state }) => {
    switch (task) {
      case 'NextStep':
        return nextStep(deps, state);
      case 'Promote':
        return promote(deps, state).then((promoted) => {
          // Left to the sweeper: a promotion is never undone for them, so they only show here.
          if (promoted.warnings) log.warn('promoted with side effects left to the sweeper', { deploymentId: state.deploymentId, warnings: promoted.warnings });
          return promoted;
        });
      case 'Rollback':
        return rollback(deps, state);
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
