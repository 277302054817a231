import type { SimClock } from './types';

/** The SDK's retry token (RetryToken of @smithy/types, which the middleware sleeps `getRetryDelay()` real ms on). */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** What the SDK's retry middleware tells a strategy about a failed attempt. */
interface RetryErrorInfo {
  readonly errorType: 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  readonly retryAfterHint?: Date;
}

/** The SDK v3's RetryStrategyV2, structurally. */
export interface SimulatedTimeRetryStrategy {
  readonly mode: 'standard';
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

/** The standard strategy's constants: base delays (ms) for throttles and other errors, and its cap. */
const THROTTLING_BASE_MS = 500;
const DEFAULT_BASE_MS = 100;
const MAX_DELAY_MS = 20_000;
/** How much longer than its own back-off the standard strategy honours a Retry-After hint. */
const MAX_HINT_EXTRA_MS = 5_000;

/**
 * The SDK's standard retry strategy (same attempts, same errors retried, same full-jitter
 * back-off) with its waits measured on the simulated clock: fledge's own functions in local mode
 * back off 100 ms × 2^n of simulated time, as they would on AWS, instead of real seconds that a
 * compressed clock turns into minutes of a deployment's deadline. A Retry-After hint (which the
 * embedded AWS already scales) is honoured as the standard strategy honours it.
 */
export function simulatedTimeRetryStrategy(maxAttempts: number, clock: Pick<SimClock, 'toRealMs'>, random: () => number = Math.random): SimulatedTimeRetryStrategy {
  const token = (count: number, delay: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0, 0),
    async refreshRetryTokenForRetry(previous, errorInfo) {
      const count = previous.getRetryCount() + 1;
      if (errorInfo.errorType === 'CLIENT_ERROR' || count >= maxAttempts) throw new Error('no retry left');
      const base = errorInfo.errorType === 'THROTTLING' ? THROTTLING_BASE_MS : DEFAULT_BASE_MS;
      const backoff = clock.toRealMs(Math.floor(Math.min(MAX_DELAY_MS, random() * 2 ** (count - 1) * base)));
      const hint = errorInfo.retryAfterHint ? errorInfo.retryAfterHint.getTime() - Date.now() : undefined;
      return token(count, hint === undefined ? backoff : Math.max(backoff, Math.min(hint, backoff + clock.toRealMs(MAX_HINT_EXTRA_MS))));
    },
    recordSuccess: () => undefined,
  };
}
