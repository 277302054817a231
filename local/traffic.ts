import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { LocalAwsError } from '@fledge-local/embedded-aws/errors';

/** Invocations answered by one version of the function. */
export interface VersionCounts {
  /** Invocations this version answered (`X-Amz-Executed-Version`). */
  invocations: number;
  /** Of those, the ones that ended in a function error (`X-Amz-Function-Error`). */
  errors: number;
}

/** What a traffic run has seen so far. */
export interface TrafficStats {
  /** Invocations started. */
  readonly sent: number;
  /** Invocations answered (by any version, with or without a function error). */
  readonly answered: number;
  /** Per version, by the version that executed the request. */
  readonly byVersion: Readonly<Record<string, Readonly<VersionCounts>>>;
  /** Calls Lambda refused or that failed in transport, by error name (`TooManyRequestsException`, …). */
  readonly callErrors: Readonly<Record<string, number>>;
  /** Ticks skipped because `maxInFlight` invocations were still running: the target is slower than the rate. */
  readonly skipped: number;
  /** Real ms since the run started. */
  readonly elapsedMs: number;
}

/** Options of {@link startTraffic}. */
export interface TrafficOptions {
  /** A Lambda client pointed at the target (embedded AWS or AWS); traffic never retries, so give it `maxAttempts: 1`. */
  readonly client: LambdaClient;
  readonly functionName: string;
  readonly alias: string;
  /** Invocations per real second, > 0. */
  readonly rps: number;
  /** Real ms after which the run stops by itself; runs until stopped when absent. */
  readonly durationMs?: number;
  /** The event sent with every invocation (JSON text); default `{}`. */
  readonly payload?: string;
  /** Invocations allowed in flight at once; default 32. */
  readonly maxInFlight?: number;
  /** Called once a second (real time) with the stats so far, for live output. */
  readonly onProgress?: (stats: TrafficStats) => void;
  /** Stops the run when aborted (e.g. on Ctrl+C). */
  readonly signal?: AbortSignal;
}

/** A traffic run in progress. */
export interface TrafficRun {
  /** The stats so far. */
  stats(): TrafficStats;
  /** Stops sending, waits for the invocations in flight, and resolves to the final stats. Idempotent. */
  stop(): Promise<TrafficStats>;
  /** Resolves with the final stats when the run ends (duration over, stopped, or aborted); rejects with {@link TrafficTargetError}. */
  readonly finished: Promise<TrafficStats>;
}

/** The alias cannot be invoked at all (no such function or alias): the run ends at once. */
export class TrafficTargetError extends LocalAwsError {
  override readonly name = 'TrafficTargetError';
}

/** Errors that mean "nothing to send traffic to", not "a busy or broken version". */
const FATAL_ERRORS = new Set(['ResourceNotFoundException', 'InvalidParameterValueException', 'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException']);

/**
 * Invokes `function:alias` at a steady rate, like production traffic, so a canary has real
 * invocations for its alarms to judge. Requests are spaced evenly on the real clock (a burst
 * would make each version's per-period metrics lumpy); the version that answered each one is
 * counted from `ExecutedVersion`, function errors per version.
 */
export function startTraffic(options: TrafficOptions): TrafficRun {
  if (!(options.rps > 0) || !Number.isFinite(options.rps)) throw new RangeError(`traffic: rps must be a positive number, got ${options.rps}`);
  const maxInFlight = options.maxInFlight ?? 32;
  const payload = Buffer.from(options.payload ?? '{}');
  const byVersion: Record<string, VersionCounts> = {};
  const callErrors: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  const startedAt = Date.now();
  let sent = 0;
  let answered = 0;
  let skipped = 0;
  let ticks = 0;
  let stopped = false;
  let fatal: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  let settle: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => { settle = resolve; });

  const stats = (): TrafficStats => ({
    sent,
    answered,
    byVersion: Object.fromEntries(Object.entries(byVersion).map(([version, counts]) => [version, { ...counts }])),
    callErrors: { ...callErrors },
    skipped,
    elapsedMs: Date.now() - startedAt,
  });

  const invokeOnce = async (): Promise<void> => {
    try {
      const out = await options.client.send(new InvokeCommand({ FunctionName: options.functionName, Qualifier: options.alias, Payload: payload }));
      const version = out.ExecutedVersion ?? '?';
      const counts = (byVersion[version] ??= { invocations: 0, errors: 0 });
      counts.invocations += 1;
      if (out.FunctionError) counts.errors += 1;
      answered += 1;
    } catch (error) {
      const name = (error as Error).name || 'Error';
      callErrors[name] = (callErrors[name] ?? 0) + 1;
      if (FATAL_ERRORS.has(name) && fatal === undefined) {
        fatal = new TrafficTargetError(`cannot invoke ${options.functionName}:${options.alias}: ${name}: ${(error as Error).message}`, { cause: error });
        end();
      }
    }
  };

  // Fires every invocation that is due by now, then sleeps until the next one is due.
  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    const elapsed = Date.now() - startedAt;
    if (options.durationMs !== undefined && elapsed >= options.durationMs) {
      end();
      return;
    }
    const due = Math.floor((elapsed * options.rps) / 1000) + 1;
    while (ticks < due) {
      ticks += 1;
      if (inFlight.size >= maxInFlight) {
        skipped += 1;
        continue;
      }
      sent += 1;
      const call = invokeOnce().finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    const nextAt = startedAt + (ticks * 1000) / options.rps;
    timer = setTimeout(tick, Math.max(0, nextAt - Date.now()));
  };

  function end(): void {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    if (progressTimer) clearInterval(progressTimer);
    options.signal?.removeEventListener('abort', end);
    settle?.();
  }

  const finished = ended.then(async () => {
    await Promise.allSettled([...inFlight]);
    if (fatal) throw fatal;
    return stats();
  });
  // A caller that only uses stop() must not see an unhandled rejection.
  finished.catch(() => undefined);

  if (options.signal?.aborted) end();
  else {
    options.signal?.addEventListener('abort', end, { once: true });
    if (options.onProgress) {
      const report = options.onProgress;
      progressTimer = setInterval(() => report(stats()), 1000);
    }
    tick();
  }

  return {
    stats,
    stop: () => {
      end();
      return finished;
    },
    finished,
  };
}

/** Share of `part` in `whole` as a percentage, 0 when there is nothing. */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : (100 * part) / whole;
}
