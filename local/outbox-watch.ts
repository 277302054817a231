import { inspect } from '@fledge-local/embedded-aws/client';

/** An e-mail in the embedded SNS outbox, as `GET /_fledge/sns/outbox` shows it. */
export interface OutboxEmail {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  readonly topicArn: string;
  /** Simulated time of delivery, ISO 8601. */
  readonly time: string;
}

/** The e-mails delivered so far, oldest first, optionally only those to `to`. */
export async function readOutbox(endpoint: string, to?: string): Promise<OutboxEmail[]> {
  const { messages } = await inspect<{ messages: OutboxEmail[] }>(endpoint, 'sns', 'outbox', to === undefined ? {} : { to });
  return messages;
}

/** The approve and reject links of an approval e-mail (the `Approve: <url>` lines), when it has links. */
export function approvalLinksOf(email: Pick<OutboxEmail, 'body'>): { approve: string; reject: string } | undefined {
  const approve = /^Approve: (https?:\/\/\S+)$/m.exec(email.body)?.[1];
  const reject = /^Reject: (https?:\/\/\S+)$/m.exec(email.body)?.[1];
  return approve && reject ? { approve, reject } : undefined;
}

/**
 * Calls `onEmail` once for each new e-mail in the outbox, polling every `intervalMs` real ms —
 * how local mode shows approval requests as they arrive. Returns the stop function. The
 * outbox is in memory (files under the data directory are only a copy), so a fresh start has
 * nothing old to repeat.
 */
export function watchOutbox(endpoint: string, onEmail: (email: OutboxEmail) => void, options: { intervalMs?: number; onError?: (error: Error) => void } = {}): () => void {
  const seen = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<void> => {
    try {
      for (const email of await readOutbox(endpoint)) {
        if (seen.has(email.id)) continue;
        seen.add(email.id);
        onEmail(email);
      }
    } catch (error) {
      options.onError?.(error as Error);
    }
    if (!stopped) timer = setTimeout(() => void poll(), options.intervalMs ?? 250);
  };
  void poll();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
