import { describe, expect, it } from 'vitest';
import { samplesFor, substitute } from '../../shared/domain/deployment/signals';
import { fisherGreaterPValue, logGamma } from '../../shared/domain/stats/fisher';

describe("the statistics behind a canary's verdict", () => {
  it("gives Fisher's exact one-sided p-values of known tables", () => {
    // Assess: the lady tasting tea (1/70 and 17/70), and a small canary worked out by hand
    expect(fisherGreaterPValue({ failures: 4, trials: 4 }, { failures: 0, trials: 4 })).toBeCloseTo(1 / 70, 12);
    expect(fisherGreaterPValue({ failures: 3, trials: 4 }, { failures: 1, trials: 4 })).toBeCloseTo(17 / 70, 12);
    // 3 errors in 20 calls against 0 in 20: P(X ≥ 3) = C(20,3)C(20,0)/C(40,3) = 1140/9880.
    expect(fisherGreaterPValue({ failures: 3, trials: 20 }, { failures: 0, trials: 20 })).toBeCloseTo(1140 / 9880, 12);
    // Never significant when the new version does no worse, or when an arm is empty.
    expect(fisherGreaterPValue({ failures: 0, trials: 50 }, { failures: 5, trials: 50 })).toBe(1);
    expect(fisherGreaterPValue({ failures: 3, trials: 3 }, { failures: 0, trials: 0 })).toBe(1);
    // Large counts stay finite and sensible: 1.2% against 1.0% over 100,000 calls each is significant.
    const p = fisherGreaterPValue({ failures: 1200, trials: 100_000 }, { failures: 1000, trials: 100_000 });
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(0.001);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
  });

  it('judges a percentile only over enough samples and substitutes placeholders', () => {
    // Assess
    expect([samplesFor('p50', 1), samplesFor('p90', 1), samplesFor('p99', 1), samplesFor('p99', 500)]).toEqual([2, 10, 100, 500]);
    expect(substitute('${function}:${alias} v${version}', { functionName: 'orders', alias: 'live', version: '3' }, '2')).toBe('orders:live v2');
  });
});
