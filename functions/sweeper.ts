import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { CloudWatchHealthAdapter } from '../shared/adapters/cloudwatch-health';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../shared/adapters/lambda-registry';
import { StepFunctionsOrchestrator } from '../shared/adapters/sfn-orchestrator';
import { SnsNotifier } from '../shared/adapters/sns-notifier';
import { systemClock } from '../shared/adapters/system-clock';
import { ConfigurationError } from '../shared/domain/deployment/errors';
import { readEngineConfig, requireConfig } from '../shared/config/env';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { SWEEP_DEFAULTS, sweep, type SweepReport } from '../shared/domain/deployment/sweeper';
import { expireStalledStart } from '../shared/domain/starter/expire';
import { log } from './lib/log';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';

const config = readEngineConfig(process.env);
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});
const sfn = new SFNClient({});

/** The ports of the repair loop: the safety net's, plus Step Functions to see whether an execution still runs. */
export type SweeperDeps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock' | 'orchestrator'>;

/**
 * The repair loop, invoked on a schedule (an EventBridge rule on AWS, an interval on the
 * simulated clock locally): finishes what outages left — deployments whose execution ended
 * without ending them, FAILED ones whose alias is still split, locks held by ended deployments.
 * The event is ignored (any schedule event will do). Failures are per deployment and logged; the
 * next run tries again, so the function itself does not fail for them.
 */
export function createHandler(deps: SweeperDeps) {
  return taskHandler('sweeper', () => undefined, async (): Promise<SweepReport> => {
    const report = await sweep(deps, { ...SWEEP_DEFAULTS, stalledStart: (record) => expireStalledStart(deps, record) });
    for (const action of report.actions) log.info('sweeper repaired', { ...action });
    for (const failure of report.failures) log.error('sweeper could not repair', { ...failure });
    return report;
  });
}

/** Lambda entry point. */
export const handler = lazyHandler(() => {
  const { tableName, notificationTopicArn, stateMachineArn } = requireConfig(config);
  if (!stateMachineArn) throw new ConfigurationError('fledge is misconfigured: FLEDGE_STATE_MACHINE_ARN is not set (the sweeper needs it)');
  return createHandler({
    lambda: new LambdaRegistryAdapter(lambda, systemClock),
    health: new CloudWatchHealthAdapter(cloudwatch),
    store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
    notifier: new SnsNotifier(sns, { notifications: notificationTopicArn }),
    orchestrator: new StepFunctionsOrchestrator(sfn, stateMachineArn),
    clock: systemClock,
  });
});
