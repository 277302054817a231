import { randomUUID } from 'node:crypto';
import type { LocalContext } from '../../types';
import { confirmationEnvelope, emailFor, lambdaEvent, notificationEnvelope, type Links, type Notification } from './messages';
import type { Outbox } from './outbox';
import type { Subscription } from './store';

/** One delivery as `GET /_fledge/sns/deliveries` shows it. */
export interface DeliveryRecord {
  readonly messageId: string;
  readonly type: 'Notification' | 'SubscriptionConfirmation';
  readonly subscriptionArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly status: 'delivered' | 'failed';
  readonly attempts: number;
  readonly error?: string;
  /** Simulated time the delivery ended, ISO 8601. */
  readonly time: string;
}

export interface DeliveryOptions {
  /** Attempts per http/https delivery before it is given up (Lambda subscriptions: see deliverToLambda). */
  readonly attempts: number;
  /** Real milliseconds one http/https attempt may take. */
  readonly httpTimeoutMs: number;
}

/** A failed delivery attempt that is worth retrying. */
class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

/**
 * Delivers notifications asynchronously: Publish returns at once, each subscription has its own
 * queue (so a confirmation reaches an endpoint before the notifications that follow it), failed
 * http/https and lambda deliveries are retried with a growing simulated back-off, and every
 * outcome is logged and kept for inspection (the newest 1000).
 */
export class Deliverer {
  readonly records: DeliveryRecord[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly context: LocalContext,
    private readonly outbox: Outbox,
    private readonly options: DeliveryOptions,
  ) {}

  links(subscription: Subscription): Links {
    const endpoint = this.context.endpoint();
    return {
      unsubscribeUrl: `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`,
      signingCertUrl: `${endpoint}/_fledge/sns/SimpleNotificationService-local.pem`,
    };
  }

  /** Queues a notification for one subscription. */
  deliver(subscription: Subscription, notification: Notification): void {
    if (subscription.protocol === 'lambda') return this.deliverToLambda(subscription, notification);
    this.enqueue(subscription, notification.messageId, 'Notification', () => this.send(subscription, notification));
  }

  /**
   * To a Lambda function, SNS is an event source: the embedded Lambda journals the event at once
   * and retries a refused Invoke with SNS's policy for AWS-managed endpoints (100,015 attempts
   * over 23 days), so neither this subscription's queue nor the http retry policy is involved.
   * The record says when Lambda took the event (or SNS gave up); its attempts are at
   * `GET /_fledge/lambda/async`.
   */
  private deliverToLambda(subscription: Subscription, notification: Notification): void {
    const event = JSON.stringify(lambdaEvent(notification, subscription, this.links(subscription)));
    const base = { messageId: notification.messageId, type: 'Notification' as const, subscription, attempts: 1 };
    // An async function: a Lambda that is not running rejects rather than throwing into Publish.
    (async () => this.context.services.lambda.invoke(subscription.endpoint, event, { invocationType: 'Event', source: 'sns' }))().then(
      () => this.record({ ...base, status: 'delivered' }),
      (error: unknown) => this.record({ ...base, status: 'failed', error: (error as Error).message }),
    );
  }

  /** Queues the SubscriptionConfirmation SNS sends a new http/https subscription. */
  confirm(subscription: Subscription): void {
    if (subscription.protocol !== 'http' && subscription.protocol !== 'https') return;
    const messageId = randomUUID();
    const subscribeUrl = `${this.context.endpoint()}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(subscription.topicArn)}&Token=${subscription.token}`;
    const body = JSON.stringify(confirmationEnvelope(subscription, messageId, this.timestamp(), subscribeUrl, this.links(subscription)));
    this.enqueue(subscription, messageId, 'SubscriptionConfirmation', () => this.post(subscription, body, 'SubscriptionConfirmation', messageId));
  }

  /** Abandons pending retries and waits for deliveries in flight to end. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('embedded SNS stopped'));
    await Promise.allSettled([...this.queues.values()]);
  }

  private timestamp(): string {
    return new Date(this.context.clock.now()).toISOString();
  }

  private enqueue(subscription: Subscription, messageId: string, type: DeliveryRecord['type'], attempt: () => Promise<void>): void {
    const previous = this.queues.get(subscription.arn) ?? Promise.resolve();
    const next = previous.then(() => this.withRetries(subscription, messageId, type, attempt));
    this.queues.set(subscription.arn, next);
    void next.finally(() => {
      if (this.queues.get(subscription.arn) === next) this.queues.delete(subscription.arn);
    });
  }

  private async withRetries(subscription: Subscription, messageId: string, type: DeliveryRecord['type'], attempt: () => Promise<void>): Promise<void> {
    const retried = subscription.protocol === 'http' || subscription.protocol === 'https';
    const attempts = retried ? this.options.attempts : 1;
    let lastError: unknown;
    for (let n = 1; n <= attempts && !this.stopping.signal.aborted; n += 1) {
      try {
        await attempt();
        return this.record({ messageId, type, subscription, status: 'delivered', attempts: n });
      } catch (error) {
        lastError = error;
        this.context.log(`sns: delivery ${n}/${attempts} of ${type} ${messageId} to ${subscription.protocol} ${subscription.endpoint} failed: ${(error as Error).message}`);
        if (n < attempts) {
          try {
            await this.context.clock.sleep(1000 * n, this.stopping.signal);
          } catch {
            break;
          }
        }
      }
    }
    this.record({ messageId, type, subscription, status: 'failed', attempts, error: (lastError as Error | undefined)?.message ?? 'stopped' });
  }

  private record(outcome: { messageId: string; type: DeliveryRecord['type']; subscription: Subscription; status: DeliveryRecord['status']; attempts: number; error?: string }): void {
    const { subscription, ...rest } = outcome;
    this.records.push({ ...rest, subscriptionArn: subscription.arn, protocol: subscription.protocol, endpoint: subscription.endpoint, time: this.timestamp() });
    if (this.records.length > 1000) this.records.splice(0, this.records.length - 1000);
    if (outcome.status === 'delivered') this.context.log(`sns: delivered ${outcome.type} ${outcome.messageId} to ${subscription.protocol} ${subscription.endpoint}`);
  }

  private async send(subscription: Subscription, notification: Notification): Promise<void> {
    const links = this.links(subscription);
    switch (subscription.protocol) {
      case 'http':
      case 'https': {
        const raw = subscription.attributes.RawMessageDelivery === 'true';
        const body = raw ? notification.perProtocol?.[subscription.protocol] ?? notification.message : JSON.stringify(notificationEnvelope(notification, subscription, links));
        return this.post(subscription, body, 'Notification', notification.messageId, raw);
      }
      case 'email':
      case 'email-json': {
        const { subject, body } = emailFor(notification, subscription, links);
        this.outbox.add({ id: randomUUID(), messageId: notification.messageId, to: subscription.endpoint, subject, body, protocol: subscription.protocol, topicArn: notification.topicArn, subscriptionArn: subscription.arn, time: this.timestamp() });
        return;
      }
    }
  }

  private async post(subscription: Subscription, body: string, type: DeliveryRecord['type'], messageId: string, raw = false): Promise<void> {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
      'x-amz-sns-message-type': type,
      'x-amz-sns-message-id': messageId,
      'x-amz-sns-topic-arn': subscription.topicArn,
    };
    if (type === 'Notification') headers['x-amz-sns-subscription-arn'] = subscription.arn;
    if (raw) headers['x-amz-sns-rawdelivery'] = 'true';
    let response: Response;
    try {
      response = await fetch(subscription.endpoint, { method: 'POST', headers, body, signal: AbortSignal.any([AbortSignal.timeout(this.options.httpTimeoutMs), this.stopping.signal]) });
    } catch (error) {
      throw new DeliveryError(`POST ${subscription.endpoint} failed: ${(error as Error).message}`, { cause: error });
    }
    await response.arrayBuffer().catch(() => undefined);
    // SNS counts any 2xx as delivered and retries everything else.
    if (response.status < 200 || response.status > 299) throw new DeliveryError(`POST ${subscription.endpoint} answered ${response.status}`);
  }
}
