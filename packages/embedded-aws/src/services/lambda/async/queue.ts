import { randomUUID } from 'node:crypto';
import type { SimClock } from '../../../types';
import { LambdaApiError } from '../errors';
import type { FunctionReference } from '../names';
import { deliveryView, type AsyncAttempt, type AsyncDelivery, type FailureCondition } from './delivery';
import type { AsyncJournal } from './journal';
import { functionErrorDelayMs, handoverPolicies, throttleDelayMs, type AsyncSource, type RetrySettings } from './policy';

/** What one run of a function from the queue gave. */
export interface QueuedRunResult {
  readonly failed: boolean;
  /** The function's result, or its error document when it failed. */
  readonly payload: string;
  readonly executedVersion: string;
}

/** Where a function's asynchronous results go, and how often it is retried (its EventInvokeConfig and dead-letter queue). */
export interface AsyncSettings {
  readonly retry: RetrySettings;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  readonly deadLetterTargetArn?: string;
  readonly functionArn: string;
}

/** What the queue needs from the embedded Lambda around it. */
export interface AsyncQueueOptions {
  readonly clock: SimClock;
  readonly journal: AsyncJournal;
  readonly log: (message: string) => void;
  readonly random?: () => number;
  /** The checks of Invoke without running anything; throws the LambdaApiError a caller would get. Resolves to the version it would run. */
  accept(ref: FunctionReference, payload: string): Promise<string>;
  /** One run from the queue: throws a LambdaApiError when throttled or refused, resolves with `failed` on a function error. */
  run(ref: FunctionReference, payload: string, requestId: string): Promise<QueuedRunResult>;
  /** The function's settings for asynchronous invocation (AWS's defaults when it has none, or is gone). */
  settings(ref: FunctionReference): AsyncSettings;
  /** Sends an invocation record (or, for a dead-letter queue, the event) to a destination ARN; rejects when it cannot. */
  sendTo(destinationArn: string, message: string, kind: 'record' | 'event'): Promise<void>;
}

/** A delivery just submitted, and when the source's hand-over to Lambda succeeded (the executed version) or was abandoned. */
export interface Submitted {
  readonly delivery: AsyncDelivery;
  readonly handedOver: Promise<string>;
}

/** Error codes that no retry can fix: the event can never be accepted or run. */
const NOT_RETRYABLE = new Set(['InvalidRuntimeException', 'RequestEntityTooLargeException', 'InvalidRequestContentException', 'ValidationException', 'InvalidParameterValueException']);
const FINISHED_KEPT = 1000;

/**
 * Lambda's asynchronous event queue, on the simulated clock, shared by every producer: Event
 * invokes through the API and Step Functions tasks (handed over already), and the event sources
 * (S3 notifications, SNS, EventBridge-style status changes, destinations), whose refused Invoke
 * calls are retried with the source's own policy before the event reaches the queue. From the
 * queue, a function error is retried MaximumRetryAttempts times (1 then 2 minutes apart), a
 * throttle or system error with back-off until MaximumEventAgeInSeconds; then the on-failure
 * destination and the dead-letter queue get it. Every failed attempt is logged. Pending
 * deliveries are journaled, so an acknowledged event survives a restart or a kill.
 */
export class AsyncQueue {
  private readonly pending = new Map<string, AsyncDelivery>();
  private readonly finished: AsyncDelivery[] = [];
  private readonly drivers = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly random: () => number;

  constructor(private readonly options: AsyncQueueOptions) {
    this.random = options.random ?? Math.random;
  }

  /**
   * Takes an event: journaled before this returns. From the API (`source: 'api'`) the caller has
   * already passed Invoke's checks, so it goes straight into the queue; from an event source it
   * is handed over first, and `handedOver` settles when that succeeds or the source gives up.
   */
  submit(ref: FunctionReference, payload: string, source: AsyncSource): Submitted {
    const now = this.options.clock.now();
    const delivery: AsyncDelivery = {
      id: randomUUID(),
      source,
      functionName: ref.name,
      qualifier: ref.qualifier,
      payload,
      acceptedAt: now,
      status: source === 'api' ? 'queued' : 'handover',
      attempts: [],
      nextAttemptAt: now,
    };
    this.options.journal.save(delivery, now);
    const handedOver = deferred<string>();
    // Nobody may be listening (an S3 notification is fire-and-forget): never an unhandled rejection.
    handedOver.promise.catch(() => undefined);
    this.start(delivery, handedOver);
    return { delivery, handedOver: handedOver.promise };
  }

  /** Resumes what a previous run left pending; an attempt the stop cut short is marked and made again. */
  resume(): void {
    const now = this.options.clock.now();
    for (const delivery of this.options.journal.load(now)) {
      if (delivery.status === 'running') {
        delivery.attempts.push({ at: now, stage: 'run', outcome: 'interrupted', error: 'the embedded AWS stopped during this run; it is made again (at least once, as on AWS)' });
        delivery.status = 'queued';
        delivery.nextAttemptAt = now;
      }
      this.options.journal.save(delivery, now);
      // Once every service has started: the function may be one that its owner registers then.
      setImmediate(() => this.start(delivery));
    }
  }

  /**
   * Stops retrying (pending deliveries stay journaled for the next start), lets `closeRuns` end
   * the runs in flight (terminating their environments), and waits for them: a run that fails
   * because of the stop is an interrupted attempt, made again at the next start, not a function error.
   */
  async stop(closeRuns: () => Promise<void> = async () => undefined): Promise<void> {
    this.stopping.abort(new Error('the embedded Lambda stopped'));
    await closeRuns();
    await Promise.allSettled([...this.drivers]);
  }

  /** Deliveries for the inspection API, newest first, without their events. */
  list(filter: { functionName?: string; status?: string; source?: string } = {}): Record<string, unknown>[] {
    return [...this.pending.values(), ...this.finished]
      .filter((d) => (filter.functionName === undefined || d.functionName === filter.functionName) && (filter.status === undefined || d.status === filter.status) && (filter.source === undefined || d.source === filter.source))
      .sort((a, b) => b.acceptedAt - a.acceptedAt)
      .map(deliveryView);
  }

  find(id: string): Record<string, unknown> | undefined {
    const delivery = this.pending.get(id) ?? this.finished.find((d) => d.id === id);
    return delivery && deliveryView(delivery);
  }

  private start(delivery: AsyncDelivery, handedOver?: Deferred<string>): void {
    if (this.stopping.signal.aborted) return;
    this.pending.set(delivery.id, delivery);
    const driver = this.drive(delivery, handedOver).catch((error: unknown) => {
      // A bug, not an AWS behaviour: say so, and keep the delivery journaled for the next start.
      this.options.log(`lambda: asynchronous delivery ${delivery.id} to ${delivery.functionName} stopped on an internal error: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.drivers.add(driver);
    void driver.finally(() => this.drivers.delete(driver));
  }

  private async drive(delivery: AsyncDelivery, handedOver?: Deferred<string>): Promise<void> {
    const { clock } = this.options;
    const ref: FunctionReference = { name: delivery.functionName, qualifier: delivery.qualifier };
    for (;;) {
      try {
        await clock.sleep(Math.max(0, (delivery.nextAttemptAt ?? clock.now()) - clock.now()), this.stopping.signal);
      } catch {
        handedOver?.reject(new Error('the embedded AWS stopped before the event was handed to Lambda'));
        return;
      }
      if (delivery.status === 'handover') {
        const handover = await this.handOver(delivery, ref);
        if (handover.kind === 'retry') continue;
        if (handover.kind === 'abandoned') {
          handedOver?.reject(new Error(handover.error));
          return;
        }
        handedOver?.resolve(handover.version);
      }
      if (delivery.status === 'queued' && (await this.runOnce(delivery, ref))) return;
    }
  }

  /** One call of Invoke by the event source: accepted (with the version it would run), refused with a retry scheduled, or abandoned. */
  private async handOver(delivery: AsyncDelivery, ref: FunctionReference): Promise<{ kind: 'accepted'; version: string } | { kind: 'retry' } | { kind: 'abandoned'; error: string }> {
    const { clock } = this.options;
    try {
      const version = await this.options.accept(ref, delivery.payload);
      this.record(delivery, { at: clock.now(), stage: 'handover', outcome: 'accepted', executedVersion: version });
      delivery.status = 'queued';
      delivery.nextAttemptAt = clock.now();
      this.options.journal.save(delivery, clock.now());
      return { kind: 'accepted', version };
    } catch (error) {
      const { outcome, text, retryable } = classify(error);
      this.record(delivery, { at: clock.now(), stage: 'handover', outcome, error: text });
      const policy = handoverPolicies[delivery.source === 'api' ? 'lambda' : delivery.source];
      const retries = delivery.attempts.filter((attempt) => attempt.stage === 'handover').length;
      const delay = policy.delayMs(retries, this.random());
      const what = `asynchronous delivery ${delivery.id} from ${sourceName(delivery)} to ${target(delivery)}: Invoke attempt ${retries} ${outcome === 'throttled' ? 'throttled' : 'refused'} (${text})`;
      if (!retryable || retries > policy.maxRetries || clock.now() + delay - delivery.acceptedAt > policy.maxAgeMs) {
        const condition: FailureCondition = retryable ? 'HandoverAbandoned' : 'NotRetryable';
        const reason = retryable ? `the source gives up (${policy.description})` : 'no retry can succeed';
        this.fail(delivery, { condition, lost: `${sourceName(delivery)} dropped the event: ${reason}` });
        this.options.log(`lambda: ${what}; ${reason}: the event is dropped`);
        return { kind: 'abandoned', error: text };
      }
      delivery.nextAttemptAt = clock.now() + delay;
      this.options.journal.save(delivery, clock.now());
      this.options.log(`lambda: ${what}; ${sourceName(delivery)} retries in ${seconds(delay)} (simulated)`);
      return { kind: 'retry' };
    }
  }

  /** One run from Lambda's queue; true when the delivery has ended. */
  private async runOnce(delivery: AsyncDelivery, ref: FunctionReference): Promise<boolean> {
    const { clock } = this.options;
    const settings = this.options.settings(ref);
    const maxAgeMs = settings.retry.maximumEventAgeSeconds * 1000;
    if (clock.now() - delivery.acceptedAt > maxAgeMs) {
      await this.failOver(delivery, settings, 'EventAgeExceeded', `older than MaximumEventAgeInSeconds (${settings.retry.maximumEventAgeSeconds})`);
      return true;
    }
    delivery.status = 'running';
    this.options.journal.save(delivery, clock.now());
    let result: QueuedRunResult;
    try {
      result = await this.options.run(ref, delivery.payload, delivery.id);
    } catch (error) {
      if (this.stopping.signal.aborted) return this.interrupted(delivery);
      const { outcome, text, retryable } = classify(error);
      this.record(delivery, { at: clock.now(), stage: 'run', outcome, error: text });
      const what = `asynchronous delivery ${delivery.id} from ${sourceName(delivery)} to ${target(delivery)}: run attempt ${runs(delivery)} ${outcome === 'throttled' ? 'throttled' : 'refused'} (${text})`;
      if (!retryable) {
        this.options.log(`lambda: ${what}; no retry can succeed`);
        await this.failOver(delivery, settings, 'RetriesExhausted', 'no retry can succeed');
        return true;
      }
      const retries = delivery.attempts.filter((attempt) => attempt.stage === 'run' && (attempt.outcome === 'throttled' || attempt.outcome === 'refused')).length;
      const delay = throttleDelayMs(retries);
      if (clock.now() + delay - delivery.acceptedAt > maxAgeMs) {
        this.options.log(`lambda: ${what}`);
        await this.failOver(delivery, settings, 'EventAgeExceeded', `it would be older than MaximumEventAgeInSeconds (${settings.retry.maximumEventAgeSeconds}) at the next attempt`);
        return true;
      }
      this.retryLater(delivery, delay, `lambda: ${what}; Lambda retries in ${seconds(delay)} (simulated)`);
      return false;
    }
    if (result.failed && this.stopping.signal.aborted) return this.interrupted(delivery);
    if (!result.failed) {
      this.record(delivery, { at: clock.now(), stage: 'run', outcome: 'succeeded', executedVersion: result.executedVersion });
      this.end(delivery, 'succeeded');
      if (settings.onSuccess) await this.send(delivery, settings.onSuccess, invocationRecord(delivery, settings, 'Success', result, clock.now()), 'record');
      return true;
    }
    this.record(delivery, { at: clock.now(), stage: 'run', outcome: 'functionError', error: errorText(result.payload), executedVersion: result.executedVersion });
    const functionErrors = delivery.attempts.filter((attempt) => attempt.outcome === 'functionError').length;
    const what = `asynchronous delivery ${delivery.id} from ${sourceName(delivery)} to ${target(delivery)}: run attempt ${runs(delivery)} failed in the function (${errorText(result.payload)})`;
    if (functionErrors > settings.retry.maximumRetryAttempts) {
      this.options.log(`lambda: ${what}`);
      await this.failOver(delivery, settings, 'RetriesExhausted', `${functionErrors} function error${functionErrors === 1 ? '' : 's'}, MaximumRetryAttempts ${settings.retry.maximumRetryAttempts}`, result);
      return true;
    }
    const delay = functionErrorDelayMs(functionErrors);
    if (clock.now() + delay - delivery.acceptedAt > maxAgeMs) {
      this.options.log(`lambda: ${what}`);
      await this.failOver(delivery, settings, 'EventAgeExceeded', `it would be older than MaximumEventAgeInSeconds (${settings.retry.maximumEventAgeSeconds}) at the next attempt`, result);
      return true;
    }
    this.retryLater(delivery, delay, `lambda: ${what}; Lambda retries in ${seconds(delay)} (simulated)`);
    return false;
  }

  /** A run the stop cut short: made again at the next start (with a data directory). */
  private interrupted(delivery: AsyncDelivery): false {
    const now = this.options.clock.now();
    this.record(delivery, { at: now, stage: 'run', outcome: 'interrupted', error: 'the embedded AWS stopped during this run; it is made again at the next start' });
    delivery.status = 'queued';
    delivery.nextAttemptAt = now;
    this.options.journal.save(delivery, now);
    return false;
  }

  private retryLater(delivery: AsyncDelivery, delayMs: number, message: string): void {
    const now = this.options.clock.now();
    delivery.status = 'queued';
    delivery.nextAttemptAt = now + delayMs;
    this.options.journal.save(delivery, now);
    this.options.log(message);
  }

  /** Ends a delivery whose retries ran out: the invocation record to the on-failure destination, the event to the dead-letter queue. */
  private async failOver(delivery: AsyncDelivery, settings: AsyncSettings, condition: 'RetriesExhausted' | 'EventAgeExceeded', why: string, last?: QueuedRunResult): Promise<void> {
    const sent: string[] = [];
    const now = this.options.clock.now();
    if (settings.onFailure && (await this.send(delivery, settings.onFailure, invocationRecord(delivery, settings, condition, last, now), 'record'))) sent.push(settings.onFailure);
    if (settings.deadLetterTargetArn && (await this.send(delivery, settings.deadLetterTargetArn, delivery.payload, 'event'))) sent.push(settings.deadLetterTargetArn);
    const where = sent.length > 0 ? `sent to ${sent.join(' and ')}` : 'no on-failure destination or dead-letter queue took it: the event is lost';
    this.fail(delivery, sent.length > 0 ? { condition, sentTo: sent.join(', ') } : { condition, lost: where });
    this.options.log(`lambda: asynchronous delivery ${delivery.id} from ${sourceName(delivery)} to ${target(delivery)} failed after ${runs(delivery)} run${runs(delivery) === 1 ? '' : 's'} (${condition}: ${why}); ${where}`);
  }

  private async send(delivery: AsyncDelivery, arn: string, message: string, kind: 'record' | 'event'): Promise<boolean> {
    try {
      await this.options.sendTo(arn, message, kind);
      return true;
    } catch (error) {
      this.options.log(`lambda: asynchronous delivery ${delivery.id}: cannot send ${kind === 'record' ? 'the invocation record' : 'the event'} to ${arn}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  private record(delivery: AsyncDelivery, attempt: AsyncAttempt): void {
    delivery.attempts.push(attempt);
  }

  private fail(delivery: AsyncDelivery, failure: NonNullable<AsyncDelivery['failure']>): void {
    delivery.failure = failure;
    this.end(delivery, 'failed');
  }

  private end(delivery: AsyncDelivery, status: 'succeeded' | 'failed'): void {
    delivery.status = status;
    delivery.nextAttemptAt = undefined;
    this.options.journal.remove(delivery.id);
    this.pending.delete(delivery.id);
    this.finished.unshift(delivery);
    if (this.finished.length > FINISHED_KEPT) this.finished.length = FINISHED_KEPT;
  }
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/** What a failed attempt was, and whether trying again may help. */
function classify(error: unknown): { outcome: 'throttled' | 'refused'; text: string; retryable: boolean } {
  if (error instanceof LambdaApiError) {
    return { outcome: error.status === 429 ? 'throttled' : 'refused', text: `${error.code}: ${error.message}`, retryable: !NOT_RETRYABLE.has(error.code) };
  }
  // Not an API answer (the service failed): what AWS would call a system error.
  return { outcome: 'refused', text: `ServiceException: ${error instanceof Error ? error.message : String(error)}`, retryable: true };
}

/** `errorType: errorMessage` of Lambda's error document, or the payload itself. */
function errorText(payload: string): string {
  try {
    const document = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof document.errorType === 'string') return `${document.errorType}: ${typeof document.errorMessage === 'string' ? document.errorMessage : ''}`;
  } catch {
    // not JSON: shown as it is
  }
  return payload.slice(0, 200);
}

/**
 * Lambda's invocation record for destinations (version 1.0): the request's context and
 * payload, the last response's status, executed version and payload.
 */
export function invocationRecord(delivery: AsyncDelivery, settings: AsyncSettings, condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded', last: QueuedRunResult | undefined, now: number): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date(now).toISOString(),
    requestContext: { requestId: delivery.id, functionArn: settings.functionArn, condition, approximateInvokeCount: runs(delivery) },
    requestPayload: parsed(delivery.payload),
    responseContext: { statusCode: last ? 200 : 429, executedVersion: last?.executedVersion ?? '$LATEST', ...(last?.failed ? { functionError: 'Unhandled' } : {}) },
    responsePayload: last ? parsed(last.payload) : null,
  });
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function runs(delivery: AsyncDelivery): number {
  return delivery.attempts.filter((attempt) => attempt.stage === 'run').length;
}

function sourceName(delivery: AsyncDelivery): string {
  return { api: 'an Event invoke', s3: 'S3', sns: 'SNS', events: 'EventBridge', lambda: 'a Lambda destination' }[delivery.source];
}

function target(delivery: AsyncDelivery): string {
  return delivery.qualifier === undefined ? delivery.functionName : `${delivery.functionName}:${delivery.qualifier}`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 0))} s`;
}
