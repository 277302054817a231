import type { AsyncSource } from './policy';

/** How one attempt went: at the hand-over (the source's Invoke call) or at a run from Lambda's queue. */
export type AttemptOutcome =
  /** The hand-over: Lambda took the event into its queue (202). */
  | 'accepted'
  /** The function ran and returned. */
  | 'succeeded'
  /** The function ran and failed (threw, timed out, crashed). */
  | 'functionError'
  /** 429: the call was throttled. */
  | 'throttled'
  /** Any other refusal or failure of the service (5xx, function missing, Pending). */
  | 'refused'
  /** The embedded AWS stopped (or was killed) during the attempt. */
  | 'interrupted';

/** One attempt of a delivery, as the inspection API shows it. */
export interface AsyncAttempt {
  /** Simulated epoch ms. */
  readonly at: number;
  readonly stage: 'handover' | 'run';
  readonly outcome: AttemptOutcome;
  /** The error code and message, or the function's `errorType: errorMessage`. */
  readonly error?: string;
  readonly executedVersion?: string;
}

/** Why a delivery ended without the function succeeding (the first two are Lambda's own names). */
export type FailureCondition = 'RetriesExhausted' | 'EventAgeExceeded' | 'HandoverAbandoned' | 'NotRetryable';

/**
 * One asynchronous invocation, from the moment it was handed to the embedded AWS until the
 * function succeeded or the retries ran out. Kept on disk while it is pending (with a data
 * directory), so what was accepted survives a restart or a kill.
 */
export interface AsyncDelivery {
  readonly id: string;
  readonly source: AsyncSource;
  readonly functionName: string;
  readonly qualifier: string | undefined;
  /** The event, as the function receives it. Never shown by the inspection API or logged. */
  readonly payload: string;
  /** Simulated epoch ms the event was created: its age counts from here. */
  acceptedAt: number;
  /** `handover`: the source is still calling Invoke; `queued`: in Lambda's queue, waiting for a run. */
  status: 'handover' | 'queued' | 'running' | 'succeeded' | 'failed';
  attempts: AsyncAttempt[];
  /** Simulated epoch ms of the next attempt while it waits. */
  nextAttemptAt: number | undefined;
  /** Set when it failed: why, and where the failure went. */
  failure?: { readonly condition: FailureCondition; readonly sentTo?: string; readonly lost?: string };
}

/** The inspection view: everything but the event itself. */
export function deliveryView(delivery: AsyncDelivery): Record<string, unknown> {
  const { payload, ...rest } = delivery;
  return { ...rest, payloadBytes: Buffer.byteLength(payload), acceptedAt: new Date(rest.acceptedAt).toISOString(), nextAttemptAt: rest.nextAttemptAt === undefined ? undefined : new Date(rest.nextAttemptAt).toISOString(), attempts: rest.attempts.map((attempt) => ({ ...attempt, at: new Date(attempt.at).toISOString() })) };
}
