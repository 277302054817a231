import { SSMClient } from '@aws-sdk/client-ssm';
import type { ApprovalLinkBuilder } from '../shared/adapters/sns-notifier';
import { SsmSecret } from '../shared/adapters/ssm-secrets';
import { readInterfaceConfig, requireInterfaceConfig } from '../shared/config/interface-env';
import { approvalLinks, ApprovalLinkSigner } from '../shared/domain/approval/signing';
import { requestApproval } from '../shared/domain/deployment/approval';
import { parseApprovalTaskInput } from '../shared/domain/deployment/input';
import type { EngineDepsOf } from './engine-functions';
import { clockPort } from './lib/composition';
import { notifierPort } from './lib/ports/notifier';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { taskHandler } from './lib/task-handler';

/** The ports RequestApproval uses: the table (token and approval), SNS (the request), the clock. */
export type ApprovalDeps = EngineDepsOf<'approval'>;

/**
 * The `RequestApproval` task (`lambda:invoke.waitForTaskToken`): stores the token under an
 * approval id and sends the request. Its event carries the token: it is never logged.
 */
export function createHandler(deps: ApprovalDeps) {
  return taskHandler('approval', parseApprovalTaskInput, (input) => requestApproval(deps, input));
}

/**
 * Signed Approve/Reject links under `apiUrl`, keyed with the SSM secret the approval pages
 * (functions/approval-pages.ts) verify with: the parameter's text as UTF-8 bytes, as there. The secret
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
 * Lambda entry point: approval messages carry links signed with the approval pages' secret,
 * under the stack's HTTP API.
 */
export const handler = engineFunction(
  'approval',
  createHandler,
  { store: storePort, notifier: notifierPort, clock: clockPort },
  {
    approvalLinks: (c) => {
      const { apiUrl, approvalSecretParameter } = requireInterfaceConfig(readInterfaceConfig(process.env), ['apiUrl', 'approvalSecretParameter']);
      return ssmApprovalLinks(c.client(SSMClient), apiUrl, approvalSecretParameter);
    },
  },
);
