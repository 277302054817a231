import type { EndedDeployment } from '../../shared/model/delivery';

/*
 * A history with known answers, computed by hand (the comments give each figure). The window is
 * three ISO weeks: 2026-W45 (Mon 2 Nov) to 2026-W47, i.e. [2026-11-02T00:00Z, 2026-11-23T00:00Z).
 */

export const WINDOW = { from: Date.parse('2026-11-02T00:00:00Z'), to: Date.parse('2026-11-23T00:00:00Z') };
const at = (iso: string): number => Date.parse(`2026-11-${iso}Z`);
const MIN = 60_000;

function ended(id: string, functionName: string, status: EndedDeployment['status'], created: string, ended: string, extra: Partial<EndedDeployment> = {}): EndedDeployment {
  return { deploymentId: id, functionName, alias: 'live', status, createdAt: at(created), endedAt: at(ended), ...extra };
}

export const HISTORY: readonly EndedDeployment[] = [
  // orders, W45: a success (lead 30 min) and a rollback (detected 10:20, alias back 10:25: 5 min).
  ended('a1', 'orders', 'SUCCEEDED', '02T10:00:00', '02T10:30:00', { tookTraffic: true }),
  ended('a2', 'orders', 'ROLLED_BACK', '03T10:00:00', '03T10:25:00', { tookTraffic: true, failureDetectedAt: at('03T10:20:00') }),
  // orders, W46: a success (lead 60 min); a NO_CHANGE and a rollback before any traffic do not count.
  ended('a3', 'orders', 'SUCCEEDED', '10T09:00:00', '10T10:00:00', { tookTraffic: true }),
  ended('a4', 'orders', 'NO_CHANGE', '10T11:00:00', '10T11:01:00'),
  ended('a5', 'orders', 'ROLLED_BACK', '11T11:00:00', '11T11:02:00', { tookTraffic: false, failureDetectedAt: at('11T11:01:00') }),
  // billing, W47: successes (lead 10 and 120 min), a FAILED change (no restore: the alias is not back), a rollback (restore 20 min).
  ended('b1', 'billing', 'SUCCEEDED', '16T08:00:00', '16T08:10:00', { tookTraffic: true }),
  ended('b2', 'billing', 'FAILED', '17T08:00:00', '17T08:06:00', { tookTraffic: true, failureDetectedAt: at('17T08:05:00') }),
  ended('b3', 'billing', 'ROLLED_BACK', '18T12:00:00', '18T13:00:00', { tookTraffic: true, failureDetectedAt: at('18T12:40:00') }),
  ended('b4', 'billing', 'SUCCEEDED', '19T00:00:00', '19T02:00:00', { tookTraffic: true }),
  // Not counted: refused, drifted, and two successes just outside the window (its end is exclusive).
  ended('b5', 'billing', 'REJECTED', '19T03:00:00', '19T03:00:01'),
  ended('b8', 'billing', 'DRIFTED', '20T03:00:00', '20T03:30:00', { tookTraffic: true }),
  ended('b6', 'billing', 'SUCCEEDED', '22T23:00:00', '23T00:00:00', { tookTraffic: true }),
  { ...ended('b7', 'billing', 'SUCCEEDED', '02T00:00:00', '02T00:00:00', { tookTraffic: true }), createdAt: Date.parse('2026-11-01T23:00:00Z'), endedAt: Date.parse('2026-11-01T23:59:59Z') },
];

/** The answers, by hand. Durations in ms. */
export const EXPECTED = {
  overall: { deployments: 7, succeeded: 4, failedChanges: 3, changeFailureRate: 3 / 7, deploymentsPerWeek: 7 / 3, leadTime: { samples: 4, median: 45 * MIN, p90: 120 * MIN }, timeToRestore: { samples: 2, median: 12.5 * MIN, p90: 20 * MIN } },
  orders: { deployments: 3, succeeded: 2, failedChanges: 1, changeFailureRate: 1 / 3, deploymentsPerWeek: 1, leadTime: { samples: 2, median: 45 * MIN, p90: 60 * MIN }, timeToRestore: { samples: 1, median: 5 * MIN, p90: 5 * MIN } },
  billing: { deployments: 4, succeeded: 2, failedChanges: 2, changeFailureRate: 0.5, deploymentsPerWeek: 4 / 3, leadTime: { samples: 2, median: 65 * MIN, p90: 120 * MIN }, timeToRestore: { samples: 1, median: 20 * MIN, p90: 20 * MIN } },
  weekly: [
    { week: '2026-W45', start: Date.parse('2026-11-02T00:00:00Z'), deployments: 2, failedChanges: 1, changeFailureRate: 0.5, deploymentsPerWeek: 2, leadTime: { samples: 1, median: 30 * MIN, p90: 30 * MIN }, timeToRestore: { samples: 1, median: 5 * MIN, p90: 5 * MIN } },
    { week: '2026-W46', start: Date.parse('2026-11-09T00:00:00Z'), deployments: 1, failedChanges: 0, changeFailureRate: 0, deploymentsPerWeek: 1, leadTime: { samples: 1, median: 60 * MIN, p90: 60 * MIN }, timeToRestore: { samples: 0, median: null, p90: null } },
    { week: '2026-W47', start: Date.parse('2026-11-16T00:00:00Z'), deployments: 4, failedChanges: 2, changeFailureRate: 0.5, deploymentsPerWeek: 4, leadTime: { samples: 2, median: 65 * MIN, p90: 120 * MIN }, timeToRestore: { samples: 1, median: 20 * MIN, p90: 20 * MIN } },
  ],
} as const;
