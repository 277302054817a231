import { describe, expect, it } from 'vitest';
import { functionErrorDelayMs, handoverPolicies, throttleDelayMs } from '../src/services/lambda/async/policy';

const SECOND = 1000;

describe('AWS\'s retry rules for asynchronous invocations', () => {
  it('waits one then two minutes between the runs of an event whose function failed', () => {
    // Act
    const delays = [1, 2].map(functionErrorDelayMs);
    // Assess
    expect(delays).toEqual([60 * SECOND, 120 * SECOND]);
  });

  it('retries a throttled or refused run from one second, doubling up to five minutes', () => {
    // Act
    const delays = [1, 2, 3, 9, 10, 50].map(throttleDelayMs);
    // Assess
    expect(delays).toEqual([1 * SECOND, 2 * SECOND, 4 * SECOND, 256 * SECOND, 300 * SECOND, 300 * SECOND]);
  });

  it('has SNS retry Lambda three times at once, twice a second apart, ten times backing off to 20 s, then every 20 s', () => {
    // Act
    const delays = Array.from({ length: 17 }, (_, index) => Math.round(handoverPolicies.sns.delayMs(index + 1, 0.5)));
    // Assess
    expect(delays.slice(0, 5)).toEqual([0, 0, 0, SECOND, SECOND]);
    expect(delays[5]).toBe(SECOND);
    expect(delays[14]).toBe(20 * SECOND);
    expect(delays.slice(5, 15)).toEqual([...delays.slice(5, 15)].sort((a, b) => a - b));
    expect(delays.slice(15)).toEqual([20 * SECOND, 20 * SECOND]);
    expect(handoverPolicies.sns.maxRetries + 1).toBe(100_015);
  });

  it('has EventBridge (and S3) back off with jitter, never at once and never past five minutes, for 24 hours and 185 retries', () => {
    // Act
    const low = [1, 2, 12, 100].map((retry) => handoverPolicies.events.delayMs(retry, 0));
    const high = [1, 2, 12, 100].map((retry) => handoverPolicies.events.delayMs(retry, 0.999_999));
    // Assess
    expect(low).toEqual([0.5 * SECOND, 1 * SECOND, 150 * SECOND, 150 * SECOND]);
    expect(high.every((delay, index) => delay > low[index]! && delay < 2 * low[index]!)).toBe(true);
    expect(handoverPolicies.events).toMatchObject({ maxRetries: 185, maxAgeMs: 24 * 3600 * SECOND });
    expect(handoverPolicies.s3).toMatchObject({ maxRetries: 185, maxAgeMs: 24 * 3600 * SECOND });
  });
});
