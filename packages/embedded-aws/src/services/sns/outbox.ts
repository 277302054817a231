import { join } from 'node:path';
import { writeFileAtomically } from '../../state-file';

/** An email SNS would have sent: what `GET /_fledge/sns/outbox` shows. */
export interface OutboxMessage {
  /** Unique per email (one message published to two addresses makes two emails). */
  readonly id: string;
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly protocol: 'email' | 'email-json';
  readonly topicArn: string;
  readonly subscriptionArn: string;
  /** Simulated time of delivery, ISO 8601. */
  readonly time: string;
}

/**
 * The inspectable mailbox of email and email-json subscriptions. Kept in memory (the newest
 * `limit` messages) and, with a data directory, one JSON file per message under
 * `<dataDir>/sns/outbox/`, named so that a directory listing is in delivery order.
 */
export class Outbox {
  private readonly messages: OutboxMessage[] = [];
  private readonly directory: string | undefined;

  constructor(dataDir: string | undefined, private readonly limit = 1000) {
    this.directory = dataDir === undefined ? undefined : join(dataDir, 'sns', 'outbox');
  }

  add(message: OutboxMessage): void {
    this.messages.push(message);
    if (this.messages.length > this.limit) this.messages.splice(0, this.messages.length - this.limit);
    if (!this.directory) return;
    const stamp = message.time.replace(/[:.]/g, '-');
    // Whole or not at all, even if the process is killed while writing.
    writeFileAtomically(join(this.directory, `${stamp}-${message.id}.json`), JSON.stringify(message, null, 2));
  }

  /** Messages in delivery order, optionally only those to one address or from one topic. */
  list(filter: { to?: string; topicArn?: string } = {}): OutboxMessage[] {
    return this.messages.filter((m) => (filter.to === undefined || m.to === filter.to) && (filter.topicArn === undefined || m.topicArn === filter.topicArn));
  }
}
