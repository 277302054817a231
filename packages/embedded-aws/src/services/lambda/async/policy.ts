import type { AsyncEventSource } from '../../../types';

/**
 * AWS's retry rules for asynchronous invocations, as pure functions of the attempt number (the
 * queue applies them on the simulated clock). Sources are in docs/local.md, "Asynchronous
 * invocations".
 */

/** Who handed the event to Lambda: a client's `Invoke` with `InvocationType: Event`, or an AWS event source. */
export type AsyncSource = 'api' | AsyncEventSource;

/** How an event source retries a refused Invoke call (the hand-over to Lambda's queue). */
export interface HandoverPolicy {
  /** What the log and the docs call it. */
  readonly description: string;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Simulated ms after the event's creation when the source gives up. */
  readonly maxAgeMs: number;
  /** Simulated ms to wait before retry number `retry` (1-based); `random` is in [0, 1). */
  delayMs(retry: number, random: number): number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Exponential back-off from `baseMs`, capped, with "equal jitter": half fixed, half random (never zero). */
function backoff(retry: number, random: number, baseMs: number, capMs: number): number {
  const delay = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return delay / 2 + (random * delay) / 2;
}

/** EventBridge's default retry policy of a target: 24 hours, up to 185 retries, exponential back-off with jitter. */
const eventBridge: HandoverPolicy = {
  description: 'EventBridge: up to 185 retries within 24 hours, exponential back-off with jitter',
  maxRetries: 185,
  maxAgeMs: 24 * HOUR,
  delayMs: (retry, random) => backoff(retry, random, SECOND, 5 * MINUTE),
};

/**
 * SNS's delivery policy for AWS-managed endpoints (Lambda, SQS), which cannot be changed:
 * 3 immediate retries, 2 one second apart, 10 with back-off from 1 to 20 seconds, then
 * 100,000 twenty seconds apart (100,015 attempts over 23 days).
 */
const sns: HandoverPolicy = {
  description: 'SNS: 3 immediate retries, 2 after 1 s, 10 backing off from 1 s to 20 s, then every 20 s (100,015 attempts over 23 days)',
  maxRetries: 100_014,
  maxAgeMs: 23 * 24 * HOUR,
  delayMs(retry) {
    if (retry <= 3) return 0;
    if (retry <= 5) return SECOND;
    // Ten steps growing geometrically from 1 s to 20 s.
    if (retry <= 15) return SECOND * 20 ** ((retry - 6) / 9);
    return 20 * SECOND;
  },
};

/**
 * The hand-over policy of each event source. S3 documents its notifications as delivered at
 * least once but not its retry schedule; EventBridge's default stands in for it (and for
 * Lambda delivering to a destination function).
 */
export const handoverPolicies: Readonly<Record<AsyncEventSource, HandoverPolicy>> = {
  s3: { ...eventBridge, description: 'S3 (modelled on EventBridge): up to 185 retries within 24 hours, exponential back-off with jitter' },
  events: eventBridge,
  sns,
  lambda: { ...eventBridge, description: 'Lambda destination (modelled on EventBridge): up to 185 retries within 24 hours' },
};

/** A function's `EventInvokeConfig` retry settings, with AWS's defaults. */
export interface RetrySettings {
  /** 0–2, default 2: retries after a function error. */
  readonly maximumRetryAttempts: number;
  /** 60–21600, default 21600 (6 hours): the oldest event Lambda still sends to the function. */
  readonly maximumEventAgeSeconds: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };

/** Lambda waits one minute before the first retry of a function error and two minutes before the second. */
export function functionErrorDelayMs(retry: number): number {
  return retry <= 1 ? MINUTE : 2 * MINUTE;
}

/**
 * After a throttle (429) or a system error (5xx) Lambda puts the event back in its queue and
 * tries again, from 1 second after the first attempt up to 5 minutes apart, until the event is
 * older than MaximumEventAgeInSeconds.
 */
export function throttleDelayMs(retry: number): number {
  return Math.min(5 * MINUTE, SECOND * 2 ** Math.max(0, retry - 1));
}
