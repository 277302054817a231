import { ChannelDeliveryError } from '../model/engine-errors';
import type { KindFilter } from '../model/notification';
import type { EventChannel, PublishedEvent } from '../ports/notifier';
import type { WebhookSender } from '../ports/webhooks';

/** How long one try of an outgoing notification webhook may take, answer included (real ms). */
export const NOTIFICATION_WEBHOOK_TIMEOUT_MS = 5000;

/** The `X-Fledge-Point` of outgoing notifications, so a receiver of both kinds of requests tells them apart. */
export const NOTIFICATION_POINT = 'notification';

/**
 * An outgoing notification webhook: each event it takes, POSTed as JSON in its format — fledge's
 * event document, a Slack message, a Microsoft Teams card — signed like the spec's webhooks
 * (`X-Fledge-Signature`), `X-Fledge-Delivery` the event's id (the same on every try). A 2xx is
 * delivered; 408, 429, a 5xx, a timeout or no connection is worth another try; any other answer
 * is not.
 */
export class WebhookChannel implements EventChannel {
  constructor(
    readonly name: string,
    private readonly sender: WebhookSender,
    private readonly url: string,
    readonly kinds: KindFilter,
    /** The body of the request for an event: the format's document. */
    private readonly render: (event: PublishedEvent) => unknown,
  ) {}

  async deliver(event: PublishedEvent): Promise<void> {
    let attempt;
    try {
      attempt = await this.sender.deliver({ url: this.url, body: JSON.stringify(this.render(event)), deliveryId: event.id, point: NOTIFICATION_POINT, timeoutMs: NOTIFICATION_WEBHOOK_TIMEOUT_MS });
    } catch (error) {
      // The signing secret cannot be read: a configuration problem, not the receiver's.
      throw new ChannelDeliveryError(`not sent: ${(error as Error).message}`, false, { cause: error });
    }
    if (attempt.kind === 'failed') throw new ChannelDeliveryError(attempt.message, true);
    if (attempt.status >= 200 && attempt.status < 300) return;
    // The receiver's own words stay out of the message: its URL may be a secret, its body anything.
    throw new ChannelDeliveryError(`the receiver answered ${attempt.status}${attempt.statusText ? ` ${attempt.statusText.slice(0, 40)}` : ''}`, attempt.status === 408 || attempt.status === 429 || attempt.status >= 500);
  }
}
