import { describe, expect, it } from 'vitest';
import { matches, retryDelayMs } from '../src/services/stepfunctions/retry';

describe('embedded Step Functions retry rules', () => {
  it('backs off by BackoffRate from IntervalSeconds and caps the delay at MaxDelaySeconds', () => {
    // Prepare
    const retrier = { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 3, MaxDelaySeconds: 30 };
    // Act
    const delays = [0, 1, 2, 3].map((attempt) => retryDelayMs(retrier, attempt));
    // Assess
    expect(delays).toEqual([2_000, 6_000, 18_000, 30_000]);
  });

  it('uses AWS defaults of 1 s and a rate of 2 when the retrier names neither', () => {
    expect([0, 1, 2].map((attempt) => retryDelayMs({ ErrorEquals: ['X'] }, attempt))).toEqual([1_000, 2_000, 4_000]);
  });

  it('draws FULL jitter between zero and the capped delay', () => {
    // Prepare
    const retrier = { ErrorEquals: ['X'], IntervalSeconds: 10, JitterStrategy: 'FULL' as const, MaxDelaySeconds: 15 };
    // Act
    const delays = Array.from({ length: 200 }, () => retryDelayMs(retrier, 3));
    // Assess
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(15_000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('lets States.TaskFailed match task errors but not timeouts, and States.Timeout match heartbeat timeouts', () => {
    expect(matches(['States.TaskFailed'], 'fledge.AliasDrifted', true)).toBe(true);
    expect(matches(['States.TaskFailed'], 'States.Timeout', true)).toBe(false);
    expect(matches(['States.TaskFailed'], 'States.HeartbeatTimeout', true)).toBe(false);
    expect(matches(['States.TaskFailed'], 'fledge.AliasDrifted', false)).toBe(false);
    expect(matches(['States.Timeout'], 'States.HeartbeatTimeout', true)).toBe(true);
    expect(matches(['States.ALL'], 'anything', false)).toBe(true);
    expect(matches(['fledge.Other'], 'fledge.AliasDrifted', true)).toBe(false);
  });
});
