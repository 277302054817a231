/** The spec's webhooks, normalised (docs/spec.md#webhooks); parsed and validated by shared/domain/spec/webhooks.ts. */

/** Where a deployment calls webhooks, in the order a deployment reaches them. */
export const WEBHOOK_POINTS = ['beforeTraffic', 'beforeStep', 'check', 'beforePromotion', 'onRollback'] as const;

/** One of {@link WEBHOOK_POINTS}. */
export type WebhookPoint = (typeof WEBHOOK_POINTS)[number];

/** A webhook as the engine calls it (normalised: defaults filled in, durations in seconds). */
export interface WebhookSpec {
  /** How the webhook is named in the history and in messages: as written, else the URL's host. */
  readonly name: string;
  /** `https://…`, or `http://` to localhost/127.0.0.1/[::1] (local mode and tests). */
  readonly url: string;
  /** Seconds one try may take, answer included. */
  readonly timeout: number;
  /** Tries after the first when there is no answer, a timeout, or a 408, 425, 429 or 5xx answer. */
  readonly retries: number;
  /** Static values sent along in every request (`metadata`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The spec's webhooks, by point. A point without webhooks is absent. */
export type WebhooksSpec = { readonly [P in WebhookPoint]?: readonly WebhookSpec[] };
