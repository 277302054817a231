import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AwsService, LocalAws, ServiceFactory } from '@fledge-local/embedded-aws';
import { render } from '../shared/adapters/sns-notifier';
import type { NotificationKind } from '../shared/model/notification';
import type { ChannelTry } from '../shared/ports/notifier';
import { sanitise } from '../shared/text/sanitise';

/** One try of one notification channel, as local mode keeps it (`GET /_fledge/notifications/outbox`). */
export interface NotificationDelivery {
  /** `n-<sequence>`, in the order of the tries. */
  readonly id: string;
  /** Simulated time of the try, ISO 8601. */
  readonly time: string;
  /** `eventbridge`, `sns`, `webhook 0 (slack)`, `github`. */
  readonly channel: string;
  readonly kind: NotificationKind;
  /** The event's id, the same on every channel (`<deploymentId>/<history key>`). */
  readonly eventId: string;
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  /** Where it went: the bus, the topic, the webhook's URL, the GitHub repository and ref. */
  readonly target: string;
  /** 1 for the first try of this event on this channel, 2 and 3 for the retries. */
  readonly try: number;
  readonly outcome: 'delivered' | 'failed';
  /** What went wrong, when it failed (one line, sanitised). */
  readonly error?: string;
  /** The notification in one line, as its e-mail subject reads (sanitised). */
  readonly text: string;
  /** What was sent: the event document, the Slack or Teams message, the GitHub status, the e-mail's subject and body. */
  readonly body: unknown;
}

/** The newest deliveries kept in memory. */
const LIMIT = 1000;

/**
 * Local mode's outbox of notifications: every try of every channel (EventBridge, the SNS topic's
 * progress events, each outgoing webhook, GitHub), what it sent and how it went — what would
 * have left the building on AWS, printed by `fledge local` as it happens. The newest
 * {@link LIMIT} in memory; with a data directory also appended to
 * `<dataDir>/notifications/outbox.jsonl`, one JSON line per try.
 */
export class NotificationOutbox {
  private readonly deliveries: NotificationDelivery[] = [];
  private readonly listeners = new Set<(delivery: NotificationDelivery) => void>();
  private readonly tries = new Map<string, number>();
  private sequence = 0;
  readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir === undefined ? undefined : join(dataDir, 'notifications', 'outbox.jsonl');
  }

  /** Keeps one try, and tells every listener. */
  add(attempt: ChannelTry): NotificationDelivery {
    const n = attempt.event.notification;
    const triesKey = `${attempt.channel}\u0000${attempt.event.id}`;
    const tries = (this.tries.get(triesKey) ?? 0) + 1;
    this.tries.set(triesKey, tries);
    if (this.tries.size > LIMIT * 4) this.tries.delete(this.tries.keys().next().value as string);
    this.sequence += 1;
    const delivery: NotificationDelivery = {
      id: `n-${this.sequence}`,
      time: new Date(attempt.at).toISOString(),
      channel: attempt.channel,
      kind: n.kind,
      eventId: attempt.event.id,
      deploymentId: n.deploymentId,
      functionName: n.functionName,
      alias: n.alias,
      target: attempt.target,
      try: tries,
      outcome: attempt.error === undefined ? 'delivered' : 'failed',
      ...(attempt.error === undefined ? {} : { error: sanitise(attempt.error).slice(0, 500) }),
      text: sanitise(render(n).subject),
      body: attempt.body,
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > LIMIT) this.deliveries.splice(0, this.deliveries.length - LIMIT);
    if (this.file) {
      try {
        mkdirSync(dirname(this.file), { recursive: true });
        appendFileSync(this.file, `${JSON.stringify(delivery)}\n`);
      } catch {
        // The copy on disk is a convenience; the outbox in memory is the record.
      }
    }
    for (const listener of this.listeners) listener(delivery);
    return delivery;
  }

  /** The deliveries kept, oldest first, optionally of one deployment or channel. */
  list(filter: { readonly deploymentId?: string; readonly channel?: string } = {}): NotificationDelivery[] {
    return this.deliveries.filter((d) => (filter.deploymentId === undefined || d.deploymentId === filter.deploymentId) && (filter.channel === undefined || d.channel === filter.channel));
  }

  /** Calls `listener` with each delivery from now on; returns the unsubscribe. */
  subscribe(listener: (delivery: NotificationDelivery) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The name the outbox is served under: `GET /_fledge/notifications/outbox`. */
export const NOTIFICATIONS_SERVICE = 'notifications';

/**
 * The outbox on the embedded AWS's inspection API, next to the SNS outbox and the EventBridge
 * bus's events: `GET /_fledge/notifications/outbox[?deploymentId=…&channel=…]`. It is no AWS
 * service: a signed request to it is refused.
 */
export function notificationOutboxService(): ServiceFactory {
  return (context) => {
    const outbox = new NotificationOutbox(context.dataDir);
    const service: AwsService = {
      signingName: NOTIFICATIONS_SERVICE,
      internal: outbox,
      handle: (_request, response) => {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'the notifications outbox is local mode\'s, not an AWS service: GET /_fledge/notifications/outbox' }));
        return Promise.resolve();
      },
      inspect: (path, query) => (path === 'outbox' ? { deliveries: outbox.list({ ...(query.get('deploymentId') ? { deploymentId: query.get('deploymentId')! } : {}), ...(query.get('channel') ? { channel: query.get('channel')! } : {}) }) } : undefined),
    };
    return service;
  };
}

/** The outbox of an embedded AWS started by `startAwsForFledge`, if it has one. */
export function notificationOutboxOf(aws: LocalAws): NotificationOutbox | undefined {
  try {
    return aws.service(NOTIFICATIONS_SERVICE).internal as NotificationOutbox | undefined;
  } catch {
    return undefined;
  }
}
