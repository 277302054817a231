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
import { safetyNet, type SafetyNetOutcome } from '../shared/domain/deployment/safety-net';
import { parseStatusChangeEvent } from './lib/events';
import { log } from './lib/log';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});

/** The ports the safety net uses: the same as Rollback's. */
export type SafetyNetDeps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/**
 * Target of the EventBridge rule on "Step Functions Execution Status Change" (FAILED, TIMED_OUT,
 * ABORTED) for the deployment state machine: repairs what no Catch could. A failure is thrown so
 * Lambda's asynchronous retries deliver the event again; every step is idempotent.
 */
export function createHandler(deps: SafetyNetDeps) {
  return taskHandler('safety-net', parseStatusChangeEvent, async (input): Promise<{ outcome: SafetyNetOutcome }> => {
    if (!input) return { outcome: 'ignored' };
    const outcome = await safetyNet(deps, input);
    log.info('safety net', { deploymentId: input.deploymentId, executionStatus: input.executionStatus, outcome });
    return { outcome };
  });
}

/** Lambda entry point. */
export const handler = lazyHandler(() => {
  const { tableName, notificationTopicArn } = requireConfig(config);
  return createHandler({
    lambda: new LambdaRegistryAdapter(lambda, systemClock),
    health: new CloudWatchHealthAdapter(cloudwatch),
    store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
    notifier: new SnsNotifier(sns, { notifications: notificationTopicArn }),
    clock: systemClock,
  });
});
