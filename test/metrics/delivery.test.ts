import { describe, expect, it } from 'vitest';
import { deliveryMetrics, durations, isoWeekOf, isoWeekStart } from '../../shared/domain/stats/delivery';
import { EXPECTED, HISTORY, WINDOW } from './fixture';

describe('delivery metrics (shared/domain/stats/delivery.ts)', () => {
  it('computes frequency, change failure rate, lead time and time to restore of a history with known answers', () => {
    // Act
    const metrics = deliveryMetrics(HISTORY, WINDOW);

    // Assess
    expect(metrics.overall).toMatchObject({ ...EXPECTED.overall, changeFailureRate: expect.closeTo(3 / 7, 12), deploymentsPerWeek: expect.closeTo(7 / 3, 12) });
    expect(metrics.functions.map((f) => f.functionName)).toEqual(['billing', 'orders']);
    expect(metrics.functions[1]).toMatchObject(EXPECTED.orders);
    expect(metrics.functions[0]).toMatchObject({ ...EXPECTED.billing, deploymentsPerWeek: expect.closeTo(4 / 3, 12) });
    expect(metrics.weekly).toHaveLength(3);
    metrics.weekly.forEach((week, i) => expect(week).toMatchObject(EXPECTED.weekly[i]!));
  });

  it('counts only deployments that reached the alias: NO_CHANGE, REJECTED, DRIFTED and a rollback before traffic are left out', () => {
    // Prepare
    const outside = HISTORY.filter((e) => ['a4', 'a5', 'b5', 'b8'].includes(e.deploymentId));

    // Act
    const metrics = deliveryMetrics(outside, WINDOW);

    // Assess
    expect(metrics.overall).toMatchObject({ deployments: 0, changeFailureRate: null, leadTime: { samples: 0, median: null, p90: null } });
  });

  it('counts a week cut by the window by its part inside it', () => {
    // Prepare: from Thursday of W45 (4 of its 7 days remain): its Monday success and Tuesday rollback fall outside.
    const from = Date.parse('2026-11-05T00:00:00Z');

    // Act
    const metrics = deliveryMetrics(HISTORY, { from, to: WINDOW.to });

    // Assess
    expect(metrics.weekly[0]).toMatchObject({ week: '2026-W45', deployments: 0 });
    expect(metrics.weekly[1]!.deploymentsPerWeek).toBe(1);
    expect(metrics.overall.deployments).toBe(5);
    expect(metrics.overall.deploymentsPerWeek).toBeCloseTo(5 / (18 / 7), 12);
  });

  it('names ISO weeks by the year of their Thursday', () => {
    // Assess
    expect(isoWeekOf(Date.parse('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeekOf(Date.parse('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeekOf(Date.parse('2026-11-22T23:59:59Z'))).toBe('2026-W47');
    expect(new Date(isoWeekStart(Date.parse('2026-11-22T23:59:59Z'))).toISOString()).toBe('2026-11-16T00:00:00.000Z');
  });

  it('takes the median as the mean of the middle pair and p90 by nearest rank', () => {
    // Assess
    expect(durations([])).toEqual({ samples: 0, median: null, p90: null });
    expect(durations([7])).toEqual({ samples: 1, median: 7, p90: 7 });
    expect(durations([10, 1, 4, 3])).toEqual({ samples: 4, median: 3.5, p90: 10 });
    expect(durations([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toEqual({ samples: 11, median: 6, p90: 10 });
  });
});
