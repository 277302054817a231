import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { SnsNotifier, type ApprovalLinkBuilder } from '../shared/adapters/sns-notifier';
import { SsmSecret } from '../shared/adapters/ssm-secrets';
import { systemClock } from '../shared/adapters/system-clock';
import { readEngineConfig, requireConfig } from '../shared/config/env';
import { readInterfaceConfig, requireInterfaceConfig } from '../shared/config/interface-env';
import { approvalLinks, ApprovalLinkSigner } from '../shared/domain/approval/signing';
import { requestApproval } from '../shared/domain/deployment/approval';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { parseApprovalTaskInput } from '../shared/domain/deployment/input';
import { lazyHandler } from './lib/lazy';
import { taskHandler } from './lib/task-handler';

const config = readEngineConfig(process.env);
const linkConfig = readInterfaceConfig(process.env);
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});
const ssm = new SSMClient({});

/** The ports RequestApproval uses: the table (token and approval), SNS (the request), the clock. */
export type ApprovalDeps = Pick<EngineDeps, 'store' | 'notifier' | 'clock'>;

/**
 * The `RequestApproval` task (`lambda:invoke.waitForTaskToken`): stores the token under an
 * approval id and sends the request. Its event carries the token: it is never logged.
 */
export function createHandler(deps: ApprovalDeps) {
  return taskHandler('approval', parseApprovalTaskInput, (input) => requestApproval(deps, input));
}

/**
 * Signed Approve/Reject links under `apiUrl`, keyed with the SSM secret the approval pages
 * (functions/approvals.ts) verify with: the parameter's text as UTF-8 bytes, as there. The secret
 * is read per link through {@link SsmSecret} (Powertools Parameters' cache), so a failed read is
 * retried by the next request and a rotation takes effect within its max age, as on the pages.
 */
export function ssmApprovalLinks(client: SSMClient, apiUrl: string, secretParameter: string): ApprovalLinkBuilder {
  const secret = new SsmSecret(client, secretParameter);
  return async (approvalId, expiresAt) => {
    const signer = new ApprovalLinkSigner(Buffer.from(await secret.value(), 'utf8'));
    const { approve, reject } = approvalLinks(apiUrl, signer, approvalId, expiresAt);
    return { approve, reject };
  };
}

/**
 * A Lambda entry point over the real AWS, built at the first invocation. `approvalLinks` makes
 * the message's links (none: the message names the CLI commands).
 */
export function createDefaultHandler(approvalLinks?: () => ApprovalLinkBuilder) {
  return lazyHandler(() => {
    const { tableName, notificationTopicArn, approvalTopicArn } = requireConfig(config);
    return createHandler({
      store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
      notifier: new SnsNotifier(sns, { notifications: notificationTopicArn, ...(approvalTopicArn ? { approvals: approvalTopicArn } : {}) }, approvalLinks?.()),
      clock: systemClock,
    });
  });
}

/** Lambda entry point: approval messages carry links signed with the approval pages' secret. */
export const handler = createDefaultHandler(() => {
  const { apiUrl, approvalSecretParameter } = requireInterfaceConfig(linkConfig, ['apiUrl', 'approvalSecretParameter']);
  return ssmApprovalLinks(ssm, apiUrl, approvalSecretParameter);
});
