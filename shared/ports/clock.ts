/**
 * Time as the engine sees it. On AWS it is the system clock; in local mode and tests it is the
 * embedded AWS's simulated clock, so deadlines and bake ends agree with the Wait states.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}
