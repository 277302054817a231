import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier, type ApprovalLinkBuilder } from '../../../shared/adapters/sns-notifier';
import { factory, setting, type Composition, type PortFactory } from '../composition';

/**
 * SNS: notifications (`FLEDGE_NOTIFICATION_TOPIC_ARN`), and approval requests on the approvals
 * topic when there is one (`FLEDGE_APPROVAL_TOPIC_ARN`), their Approve/Reject links from
 * `approvalLinks` (none: the message names the CLI commands). The same for every function that
 * notifies: the wiring that used to differ per handler.
 */
export function snsNotifier(c: Composition, approvalLinks?: ApprovalLinkBuilder): SnsNotifier {
  return new SnsNotifier(c.client(SNSClient), { notifications: setting(c, 'notificationTopicArn'), ...(c.settings.approvalTopicArn ? { approvals: c.settings.approvalTopicArn } : {}) }, approvalLinks);
}

/** The notifier of every function that notifies but the approval function (./signed-notifier.ts). */
export const notifierPort: PortFactory<'notifier'> = /* @__PURE__ */ factory(['notificationTopicArn'], (c) => snsNotifier(c));
