import type { LocalContext } from '../../types';
import { s3EventRecord, type ObjectEvent } from './event-records';
import type { NotificationStore } from './notification-store';
import { eventMatches, keyMatches } from './notifications';

/** One delivery of a bucket notification, kept for inspection at `GET /_fledge/s3/notifications`. */
export interface NotificationDelivery {
  readonly bucket: string;
  readonly key: string;
  readonly eventName: string;
  readonly configurationId: string;
  readonly functionArn: string;
  readonly record: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'failed';
  error?: string;
}

/** Sends object events to the functions configured for them, and remembers the recent deliveries. */
export interface Notifier {
  notify(event: ObjectEvent): void;
  readonly deliveries: readonly NotificationDelivery[];
}

const maxDeliveriesKept = 200;

/**
 * Delivers each object event to every Lambda configuration of its bucket whose events and key
 * filter match, as one asynchronous (`Event`) invocation with `{Records: [record]}` per
 * configuration, the way S3 does. Delivery never blocks or fails the S3 request that caused it.
 */
export function createNotifier(context: LocalContext, configurations: () => NotificationStore | undefined): Notifier {
  const deliveries: NotificationDelivery[] = [];
  return {
    deliveries,
    notify(event) {
      for (const target of configurations()?.get(event.bucket)?.targets ?? []) {
        if (target.kind !== 'lambda' || !target.events.some((pattern) => eventMatches(pattern, event.eventName)) || !keyMatches(target.filterRules, event.key)) continue;
        const record = s3EventRecord(event, { region: context.region, accountId: context.accountId, configurationId: target.id });
        const delivery: NotificationDelivery = { bucket: event.bucket, key: event.key, eventName: event.eventName, configurationId: target.id, functionArn: target.arn, record, status: 'pending' };
        deliveries.push(delivery);
        if (deliveries.length > maxDeliveriesKept) deliveries.shift();
        void (async () => {
          try {
            // As S3 does: the event is kept and a refused Invoke retried (Lambda's queue does it for S3).
            await context.services.lambda.invoke(target.arn, JSON.stringify({ Records: [record] }), { invocationType: 'Event', source: 's3' });
            delivery.status = 'delivered';
          } catch (error) {
            delivery.status = 'failed';
            delivery.error = (error as Error).message;
            context.log(`S3: notification of ${event.eventName} s3://${event.bucket}/${event.key} to ${target.arn} failed: ${delivery.error}`);
          }
        })();
      }
    },
  };
}
