import { approvalLinks, ApprovalLinkSigner } from '../../../shared/domain/approval/signing';
import { factory, setting, type PortFactory } from '../composition';
import { notifierPort } from './notifier';
import { signingKey } from './secrets';

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
