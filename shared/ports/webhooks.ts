/**
 * Sends webhook requests (docs/spec.md#webhooks): one POST per call, signed, redirects not
 * followed, the answer's body read only up to a bound. What the answer means — go, stop, try
 * again — is the engine's decision (shared/domain/deployment/webhooks.ts).
 */
export interface WebhookSender {
  /**
   * One try. Resolves with the answer or with why there was none; throws only when fledge
   * cannot sign (its signing secret cannot be read: a configuration error, or transient).
   */
  deliver(delivery: WebhookDelivery): Promise<WebhookAttempt>;
}

/** One request to a webhook. */
export interface WebhookDelivery {
  readonly url: string;
  /** The JSON body, exactly as signed and sent. */
  readonly body: string;
  /** `X-Fledge-Delivery`: the same for every try of this delivery. */
  readonly deliveryId: string;
  /** `X-Fledge-Point`. */
  readonly point: string;
  /** The whole try, answer included, in milliseconds of real time. */
  readonly timeoutMs: number;
}

/** What one try got. `excerpt` is the start of the body, raw (the engine sanitises what it keeps). */
export type WebhookAttempt =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly statusText: string;
      readonly excerpt: string;
      readonly latencyMs: number;
      /** The `Location` of a redirect, which is never followed. */
      readonly location?: string;
    }
  | { readonly kind: 'failed'; readonly failure: 'timeout' | 'network'; readonly message: string; readonly latencyMs: number };
