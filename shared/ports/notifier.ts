import type { DeploymentNotification } from '../model/notification';

/** Sends notifications (SNS on AWS). Delivery is at least once. */
export interface Notifier {
  notify(notification: DeploymentNotification): Promise<void>;
}
