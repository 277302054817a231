import type { EndedDeployment } from '../../model/delivery';
import type { DeploymentStatus } from '../../model/deployment';

/*
 * Delivery metrics (the four DORA measures) from fledge's own history: pure arithmetic over the
 * ended deployments the metrics index holds (docs/api.md#get-metrics says what counts).
 */

/** Statuses of a deployment whose change failed in production: it reached the alias, then was undone or left broken. */
export const FAILED_CHANGE_STATUSES: readonly DeploymentStatus[] = ['ROLLED_BACK', 'FAILED'];
/** Statuses counted as deployments (when the new version served traffic): a success or a failed change. */
export const COUNTED_STATUSES: readonly DeploymentStatus[] = ['SUCCEEDED', ...FAILED_CHANGE_STATUSES];

const WEEK_MS = 7 * 86_400_000;

/** A duration distribution in milliseconds; `null` figures when there is no sample. */
export interface DurationStats {
  readonly samples: number;
  readonly median: number | null;
  readonly p90: number | null;
}

/** The four measures over one set of deployments. */
export interface DeliverySummary {
  /** Deployments whose new version served traffic and that ended SUCCEEDED, ROLLED_BACK or FAILED. */
  readonly deployments: number;
  readonly succeeded: number;
  /** Of {@link deployments}, those that ended ROLLED_BACK or FAILED. */
  readonly failedChanges: number;
  /** {@link deployments} per week of the window (the window's length ÷ 7 days). */
  readonly deploymentsPerWeek: number;
  /** failedChanges ÷ deployments; `null` without deployments. */
  readonly changeFailureRate: number | null;
  /** Accepted → promoted (the alias serving the new version alone), of SUCCEEDED deployments. */
  readonly leadTime: DurationStats;
  /** Failure detected → alias back on the previous version, of ROLLED_BACK deployments that had served traffic. */
  readonly timeToRestore: DurationStats;
}

/** One ISO week (UTC) of the window. */
export interface WeeklySummary extends DeliverySummary {
  /** `2026-W48`. */
  readonly week: string;
  /** Epoch ms of its Monday 00:00 UTC. */
  readonly start: number;
}

/** The metrics of a window: overall, per function (by name), and per ISO week (oldest first, every week of the window, empty ones too). */
export interface DeliveryMetrics {
  readonly from: number;
  readonly to: number;
  readonly overall: DeliverySummary;
  readonly functions: readonly ({ readonly functionName: string } & DeliverySummary)[];
  readonly weekly: readonly WeeklySummary[];
}

/**
 * Computes the metrics of the deployments that ended in [from, to). Each deployment counts in
 * the week it ended. Deployments outside the window (or not counted: NO_CHANGE, DRIFTED,
 * REJECTED, a rollback before any traffic) are ignored.
 */
export function deliveryMetrics(endings: readonly EndedDeployment[], window: { readonly from: number; readonly to: number }): DeliveryMetrics {
  const { from, to } = window;
  const inWindow = endings.filter((e) => e.endedAt >= from && e.endedAt < to);
  const weeksInWindow = Math.max(to - from, 1) / WEEK_MS;
  const byFunction = new Map<string, EndedDeployment[]>();
  for (const ending of inWindow) byFunction.set(ending.functionName, [...(byFunction.get(ending.functionName) ?? []), ending]);
  const weekly: WeeklySummary[] = [];
  for (let start = isoWeekStart(from); start < to; start += WEEK_MS) {
    const end = start + WEEK_MS;
    // A week cut by the window counts only its part inside it.
    const span = (Math.min(end, to) - Math.max(start, from)) / WEEK_MS;
    weekly.push({ week: isoWeekOf(start), start, ...summarise(inWindow.filter((e) => e.endedAt >= start && e.endedAt < end), span) });
  }
  return {
    from,
    to,
    overall: summarise(inWindow, weeksInWindow),
    functions: [...byFunction.keys()].sort().map((functionName) => ({ functionName, ...summarise(byFunction.get(functionName)!, weeksInWindow) })),
    weekly,
  };
}

/** The measures of one set of ended deployments spread over `weeks` weeks. */
export function summarise(endings: readonly EndedDeployment[], weeks: number): DeliverySummary {
  const counted = endings.filter(isCounted);
  const succeeded = counted.filter((e) => e.status === 'SUCCEEDED');
  const failedChanges = counted.filter((e) => FAILED_CHANGE_STATUSES.includes(e.status));
  const restored = failedChanges.filter((e) => e.status === 'ROLLED_BACK' && e.failureDetectedAt !== undefined);
  return {
    deployments: counted.length,
    succeeded: succeeded.length,
    failedChanges: failedChanges.length,
    deploymentsPerWeek: weeks > 0 ? counted.length / weeks : 0,
    changeFailureRate: counted.length > 0 ? failedChanges.length / counted.length : null,
    leadTime: durations(succeeded.map((e) => e.endedAt - e.createdAt)),
    timeToRestore: durations(restored.map((e) => e.endedAt - e.failureDetectedAt!)),
  };
}

/** A deployment counts when it reached the alias: SUCCEEDED, or a failed change whose new version served traffic. */
export function isCounted(ending: EndedDeployment): boolean {
  if (ending.status === 'SUCCEEDED') return true;
  return FAILED_CHANGE_STATUSES.includes(ending.status) && ending.tookTraffic === true;
}

/** Median (the mean of the two middle values of an even count) and p90 (nearest rank: the ⌈0.9·n⌉-th smallest). */
export function durations(values: readonly number[]): DurationStats {
  if (values.length === 0) return { samples: 0, median: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * n) - 1)]!;
  return { samples: n, median, p90 };
}

/** Epoch ms of the Monday 00:00 UTC that starts the ISO week holding `at`. */
export function isoWeekStart(at: number): number {
  const day = new Date(at);
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return midnight - weekday * 86_400_000;
}

/** The ISO 8601 week of `at` (UTC), `2026-W48`: the week belongs to the year of its Thursday. */
export function isoWeekOf(at: number): string {
  const thursday = new Date(isoWeekStart(at) + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / WEEK_MS) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
