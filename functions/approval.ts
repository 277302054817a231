import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { SnsNotifier, type ApprovalLinkBuilder } from '../shared/adapters/sns-notifier';
import { systemClock } from '../shared/adapters/system-clock';
import { readEngineConfig, requireConfig } from '../shared/config/env';
import { requestApproval } from '../shared/domain/deployment/approval';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { parseApprovalTaskInput } from '../shared/domain/deployment/input';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';

const config = readEngineConfig(process.env);
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});

/** The ports RequestApproval uses: the table (token and approval), SNS (the request), the clock. */
export type ApprovalDeps = Pick<EngineDeps, 'store' | 'notifier' | 'clock'>;

/**
 * The `RequestApproval` task (`lambda:invoke.waitForTaskToken`): stores the token under an
 * approval id and sends the request. Its event carries the token: it is never logged.
 */
export function createHandler(deps: ApprovalDeps) {
  return taskHandler('approval', parseApprovalTaskInput, (input) => requestApproval(deps, input));
}

/** Lambda entry point; `approvalLinks` is where issue 5 plugs its signed links. */
export function createDefaultHandler(approvalLinks?: ApprovalLinkBuilder) {
  return lazyHandler(() => {
    const { tableName, notificationTopicArn, approvalTopicArn } = requireConfig(config);
    return createHandler({
      store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
      notifier: new SnsNotifier(sns, { notifications: notificationTopicArn, ...(approvalTopicArn ? { approvals: approvalTopicArn } : {}) }, approvalLinks),
      clock: systemClock,
    });
  });
}

/** Lambda entry point. */
export const handler = createDefaultHandler();
