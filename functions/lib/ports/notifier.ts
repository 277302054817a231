import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../../shared/adapters/sns-notifier';
import type { PortFactory } from '../composition';

/**
 * SNS: notifications, and approval requests on the approvals topic when there is one (the same
 * for every function: the wiring that used to differ per handler).
 */
export const notifierPort: PortFactory<'notifier'> = (c) =>
  new SnsNotifier(c.client(SNSClient), { notifications: c.settings.notificationTopicArn, ...(c.settings.approvalTopicArn ? { approvals: c.settings.approvalTopicArn } : {}) }, c.approvalLinks);
