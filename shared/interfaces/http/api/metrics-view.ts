import type { DeliveryMetrics, DeliverySummary, DurationStats } from '../../../domain/stats/delivery';

/** A duration distribution as the API shows it: milliseconds, `null` without samples. */
function durationView(stats: DurationStats) {
  return { samples: stats.samples, medianMs: stats.median, p90Ms: stats.p90 };
}

function summaryView(summary: DeliverySummary) {
  return {
    deployments: summary.deployments,
    succeeded: summary.succeeded,
    failedChanges: summary.failedChanges,
    deploymentsPerWeek: Math.round(summary.deploymentsPerWeek * 100) / 100,
    changeFailureRate: summary.changeFailureRate,
    leadTime: durationView(summary.leadTime),
    timeToRestore: durationView(summary.timeToRestore),
  };
}

/** The JSON of `GET /metrics`: times in ISO 8601, durations in milliseconds. */
export type MetricsView = ReturnType<typeof metricsView>;

/** The JSON of `GET /metrics` (see {@link MetricsView}). */
export function metricsView(metrics: DeliveryMetrics, functionName?: string) {
  return {
    from: new Date(metrics.from).toISOString(),
    to: new Date(metrics.to).toISOString(),
    ...(functionName ? { function: functionName } : {}),
    overall: summaryView(metrics.overall),
    functions: metrics.functions.map((f) => ({ functionName: f.functionName, ...summaryView(f) })),
    weekly: metrics.weekly.map((w) => ({ week: w.week, start: new Date(w.start).toISOString(), ...summaryView(w) })),
  };
}
