import type { SimClock } from './types';

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
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.max(0, simulatedMs * timeScale));
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
