import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmSecret } from '../../../shared/adapters/ssm-secrets';
import { CursorSigner } from '../../../shared/interfaces/http/api/cursor';
import { ApprovalLinkSigner } from '../../../shared/domain/approval/signing';
import { factory, setting, type Composition, type Factory } from '../composition';

/*
 * What fledge keeps in SSM Parameter Store, read through SsmSecret (Powertools Parameters, max
 * age): a failed read is retried by the next use, and a rotation reaches every use within the max
 * age. Each use asks for the value again — no cache of its own.
 */

/**
 * The approval-signing key: the composition's own (local mode keeps it in its data directory), else
 * the secret `FLEDGE_APPROVAL_SECRET_PARAMETER` names, as UTF-8 key bytes.
 */
export function signingKey(c: Composition): () => Promise<Buffer> {
  if (c.approvalSecret) return c.approvalSecret;
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
