/**
 * Time as the engine sees it. On AWS it is the system clock; in local mode and tests it is the
 * embedded AWS's simulated clock, so deadlines and bake ends agree with the Wait states.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
  /**
   * Real milliseconds per millisecond of this clock (the embedded AWS's time scale: 0.005 makes
   * 5 minutes last 1.5 real seconds); absent on the system clock (1). Leases that protect work
   * done at the machine's own speed (a notification's send) must not run out in real seconds.
   */
  readonly timeScale?: number;
}
