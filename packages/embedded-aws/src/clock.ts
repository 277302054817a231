import type { SimClock } from './types';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A clock whose simulated time runs `1 / timeScale` times faster than real time, starting at
 * the real time of its creation, so simulated timestamps stay plausible (and sortable) dates.
 */
export function createSimClock(timeScale = 1, realNow: () => number = Date.now): SimClock {
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new RangeError(`timeScale must be a positive number, got ${String(timeScale)}`);
  }
  const realStart = realNow();
  return {
    timeScale,
    now: () => realStart + (realNow() - realStart) / timeScale,
    toRealMs: (simulatedMs) => Math.max(0, simulatedMs * timeScale),
    sleep(simulatedMs, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        const realDeadline = realNow() + Math.max(0, simulatedMs * timeScale);
        let timer: NodeJS.Timeout | undefined;
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(signal?.reason as Error);
        };
        // setTimeout fires at once for delays above 2^31-1 ms, so long sleeps go in slices.
        const arm = (): void => {
          const remaining = realDeadline - realNow();
          if (remaining <= 0) {
            signal?.removeEventListener('abort', onAbort);
            resolve();
            return;
          }
          timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        arm();
      });
    },
  };
}
