import type { DeploymentNotification, KindFilter } from '../model/notification';

/** Sends notifications (SNS on AWS). Delivery is at least once. */
export interface Notifier {
  notify(notification: DeploymentNotification): Promise<void>;
  /**
   * The outgoing channels every event of a deployment is published to (EventBridge, SNS for the
   * progress events, webhooks, GitHub): docs/events.md. None when absent. The engine sends each
   * event to each channel once at most, never waiting on one longer than its bounded retries
   * (shared/domain/deployment/publish-events.ts). Asynchronous: some are read from a secret
   * (the webhooks' URLs), once per cold start.
   */
  channels?(): Promise<readonly EventChannel[]>;
}

/** One event as the channels receive it: the notification, and the id that names it everywhere. */
export interface PublishedEvent {
  /**
   * `<deploymentId>/<history key>`: the same for every try and every channel, so a receiver can
   * drop a repeat (EventBridge's detail `eventId`, the webhooks' `X-Fledge-Delivery`).
   */
  readonly id: string;
  /** Epoch ms of the event. */
  readonly at: number;
  readonly notification: DeploymentNotification;
  /** `<apiUrl>/deployments/<id>` when the installation has an API URL: where a person follows the deployment. */
  readonly link?: string;
}

/** One place events go. */
export interface EventChannel {
  /** Shown in failures and the history: `eventbridge`, `sns`, `webhook 1 (teams)`, `github`. */
  readonly name: string;
  /** The kinds it takes (its filter). */
  readonly kinds: KindFilter;
  /**
   * One try. Throws `ChannelDeliveryError` (shared/model/engine-errors.ts) (retryable or not) when the event did not get
   * through; anything else thrown counts as retryable.
   */
  deliver(event: PublishedEvent): Promise<void>;
}

/**
 * One try of one channel as it went out: what local mode prints and keeps in its outbox
 * (local/notification-outbox.ts). Nothing on AWS looks at it.
 */
export interface ChannelTry {
  /** The channel's name ({@link EventChannel.name}). */
  readonly channel: string;
  readonly event: PublishedEvent;
  /** Where it went: the bus, the topic, the webhook's URL, the GitHub repository and ref. */
  readonly target: string;
  /** What was sent: the event document, the Slack or Teams message, the GitHub status, the e-mail. */
  readonly body: unknown;
  /** Epoch ms (the composition's clock) of the try. */
  readonly at: number;
  /** Absent when it got through; what went wrong otherwise. */
  readonly error?: string;
}
