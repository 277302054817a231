import { readJsonState, writeJsonState } from '../../state-file';
import { join } from 'node:path';

/** Protocols the embedded SNS delivers to. */
export const PROTOCOLS = ['http', 'https', 'email', 'email-json', 'lambda'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface Topic {
  readonly arn: string;
  readonly name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface Subscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: Protocol;
  readonly endpoint: string;
  readonly owner: string;
  /** What ConfirmSubscription accepts for it (subscriptions are confirmed at once here, see docs/local.md). */
  readonly token: string;
  attributes: Record<string, string>;
}

interface Saved {
  readonly topics: Topic[];
  readonly subscriptions: Subscription[];
}

/**
 * Topics and subscriptions, kept in `<dataDir>/sns/state.json` when a data directory is given
 * (rewritten whole through a temporary file, so a crash never leaves half a file).
 */
export class SnsStore {
  readonly topics = new Map<string, Topic>();
  readonly subscriptions = new Map<string, Subscription>();
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir === undefined ? undefined : join(dataDir, 'sns', 'state.json');
  }

  load(): void {
    if (!this.file) return;
    const saved = readJsonState<Saved>(this.file, 'embedded SNS');
    for (const topic of saved?.topics ?? []) this.topics.set(topic.arn, topic);
    for (const subscription of saved?.subscriptions ?? []) this.subscriptions.set(subscription.arn, subscription);
  }

  subscriptionsOf(topicArn: string): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.topicArn === topicArn);
  }

  save(): void {
    if (this.file) writeJsonState(this.file, { topics: [...this.topics.values()], subscriptions: [...this.subscriptions.values()] } satisfies Saved);
  }

}
