/**
 * The ASL Retry and Catch rules the engine applies (the library's own are bypassed: they run on
 * real time and cannot tell our timeouts from task failures).
 */

/** One entry of a state's `Retry` field. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** One entry of a state's `Catch` field. */
export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

/** The errors a task's own timers raise: `States.TaskFailed` does not match them. */
export const timeoutErrors: ReadonlySet<string> = new Set(['States.Timeout', 'States.HeartbeatTimeout']);

/** ASL error matching: names, `States.ALL`, `States.TaskFailed` (all but timeouts) and `States.Timeout` (incl. heartbeats). */
export function matches(errorEquals: readonly string[], error: string, isTask: boolean): boolean {
  return errorEquals.some(
    (name) =>
      name === error ||
      name === 'States.ALL' ||
      (name === 'States.TaskFailed' && isTask && !timeoutErrors.has(error)) ||
      (name === 'States.Timeout' && error === 'States.HeartbeatTimeout'),
  );
}

/** IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, with FULL jitter drawing in [0, delay). */
export function retryDelayMs(retrier: Retrier, attempt: number): number {
  const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
  const capped = retrier.MaxDelaySeconds !== undefined ? Math.min(delay, retrier.MaxDelaySeconds) : delay;
  return (retrier.JitterStrategy === 'FULL' ? Math.random() * capped : capped) * 1000;
}
