import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../../shared/adapters/sns-notifier';
import { factory, setting, type PortFactory } from '../composition';

/**
 * SNS: notifications (`FLEDGE_NOTIFICATION_TOPIC_ARN`), and approval requests on the approvals
 * topic when there is one (`FLEDGE_APPROVAL_TOPIC_ARN`), with the composition's approval links.
 * The same for every function that notifies: the wiring that used to differ per handler.
 */
export const notifierPort: PortFactory<'notifier'> = /* @__PURE__ */ factory(['notificationTopicArn'], (c) =>
  new SnsNotifier(c.client(SNSClient), { notifications: setting(c, 'notificationTopicArn'), ...(c.settings.approvalTopicArn ? { approvals: c.settings.approvalTopicArn } : {}) }, c.approvalLinks),
);
