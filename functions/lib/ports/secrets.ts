import { SSMClient } from '@aws-sdk/client-ssm';
import { SlackWebhook } from '../../../shared/adapters/slack-webhook';
import { SsmSecret } from '../../../shared/adapters/ssm-secrets';
import { CursorSigner } from '../../../shared/domain/api/cursor';
import { approvalLinks, ApprovalLinkSigner } from '../../../shared/domain/approval/signing';
import { factory, setting, type Composition, type Factory, type PortFactory } from '../composition';
import { notifierPort } from './notifier';

/*
 * What fledge keeps in SSM Parameter Store, read through SsmSecret (Powertools Parameters, max
 * age): a failed read is retried by the next use, and a rotation reaches every use within the max
 * age. Each use asks for the value again — no cache of its own.
 */

/** The approval-signing secret (`FLEDGE_APPROVAL_SECRET_PARAMETER`), as UTF-8 key bytes. */
function signingKey(c: Composition): () => Promise<Buffer> {
  const secret = new SsmSecret(c.client(SSMClient), setting(c, 'approvalSecretParameter'));
  return async () => Buffer.from(await secret.value(), 'utf8');
}

/** The approval pages' signer: verifies the links the approval function signed. */
export const approvalSignerPort: Factory<() => Promise<ApprovalLinkSigner>> = /* @__PURE__ */ factory(['approvalSecretParameter'], (c) => {
  const key = signingKey(c);
  return async () => new ApprovalLinkSigner(await key());
});

/** The API's list cursors, sealed with a key derived from the approval-signing secret: no second secret to keep. */
export const cursorsPort: Factory<() => Promise<CursorSigner>> = /* @__PURE__ */ factory(['approvalSecretParameter'], (c) => {
  const key = signingKey(c);
  return async () => new CursorSigner(await key());
});

/**
 * The notifier of the approval function: {@link notifierPort}'s, with Approve/Reject links under
 * `FLEDGE_API_URL` signed with the key the approval pages verify with (the same bytes, read alike).
 */
export const signedLinksNotifierPort: PortFactory<'notifier'> = /* @__PURE__ */ factory([...notifierPort.needs, 'apiUrl', 'approvalSecretParameter'], (c) => {
  const apiUrl = setting(c, 'apiUrl');
  const key = signingKey(c);
  return notifierPort({
    ...c,
    approvalLinks: async (approvalId, expiresAt) => {
      const { approve, reject } = approvalLinks(apiUrl, new ApprovalLinkSigner(await key()), approvalId, expiresAt);
      return { approve, reject };
    },
  });
});

/** The Slack incoming webhook, its URL in the SecureString `FLEDGE_SLACK_WEBHOOK_PARAMETER`. */
export const slackPort: Factory<SlackWebhook> = /* @__PURE__ */ factory(['slackWebhookParameter'], (c) => {
  const secret = new SsmSecret(c.client(SSMClient), setting(c, 'slackWebhookParameter'));
  return new SlackWebhook(() => secret.value());
});
