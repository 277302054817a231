import { approvalLinks, ApprovalLinkSigner } from '../../../shared/domain/approval/signing';
import { factory, type PortFactory } from '../composition';
import { notifierPort, snsNotifier } from './notifier';
import { signingKey } from './secrets';

/**
 * The notifier of the approval function: {@link notifierPort}'s, with Approve/Reject links under
 * `FLEDGE_API_URL` signed with the key the approval pages verify with (the same bytes, read alike).
 * On AWS the function's environment must set both (its `needs`); a composition with no API to link
 * to (a test world of local/world/, which serves no pages) sends messages without links, which
 * name the CLI commands instead.
 */
export const signedLinksNotifierPort: PortFactory<'notifier'> = /* @__PURE__ */ factory([...notifierPort.needs, 'apiUrl', 'approvalSecretParameter'], (c) => {
  const apiUrl = c.settings.apiUrl;
  if (apiUrl === undefined) return snsNotifier(c);
  const key = signingKey(c);
  return snsNotifier(c, async (approvalId, expiresAt) => {
    const { approve, reject } = approvalLinks(apiUrl, new ApprovalLinkSigner(await key()), approvalId, expiresAt);
    return { approve, reject };
  });
});
