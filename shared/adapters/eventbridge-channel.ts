import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ChannelDeliveryError, TransientAwsError } from '../model/engine-errors';
import { deploymentLink, eventDetail } from '../model/event-detail';
import { NOTIFICATION_KINDS, type KindFilter } from '../model/notification';
import type { EventChannel, PublishedEvent } from '../ports/notifier';
import { translate } from './aws-errors';

/** The `source` of every event fledge puts on a bus: what a rule's pattern matches on (`{"source": ["fledge"]}`). */
export const EVENT_SOURCE = 'fledge';

/**
 * Puts each event on an EventBridge bus (PutEvents, one entry): source {@link EVENT_SOURCE}, the
 * kind's detail-type, the {@link eventDetail} as detail. An entry EventBridge refuses
 * (`FailedEntryCount`) is a failed delivery: retryable when EventBridge says it was throttled or
 * failed internally.
 */
export class EventBridgeChannel implements EventChannel {
  readonly name = 'eventbridge';

  constructor(
    private readonly client: EventBridgeClient,
    /** The bus's name or ARN (`default`: the account's default bus). */
    private readonly bus: string,
    readonly kinds: KindFilter,
    private readonly apiUrl?: string,
  ) {}

  async deliver(event: PublishedEvent): Promise<void> {
    const detail = eventDetail(event, deploymentLink(this.apiUrl, event.notification.deploymentId));
    let output;
    try {
      output = await this.client.send(
        new PutEventsCommand({
          Entries: [{ Source: EVENT_SOURCE, DetailType: NOTIFICATION_KINDS[event.notification.kind], Detail: JSON.stringify(detail), EventBusName: this.bus, Time: new Date(event.at) }],
        }),
      );
    } catch (error) {
      const translated = translate(error, `PutEvents to ${this.bus}`);
      throw new ChannelDeliveryError(translated.message, translated instanceof TransientAwsError, { cause: translated });
    }
    const entry = output.Entries?.[0];
    if ((output.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
      const code = entry?.ErrorCode ?? 'unknown';
      throw new ChannelDeliveryError(`EventBridge refused the event (${code}: ${entry?.ErrorMessage ?? 'no message'})`, /Throttl|InternalFailure|InternalException/.test(code));
    }
  }
}
