/** One stored observation: a single value, or a statistic set, or values with counts, reduced to the same four numbers. */
export interface MetricPoint {
  /** Simulated epoch milliseconds. */
  readonly timestamp: number;
  readonly sum: number;
  readonly sampleCount: number;
  readonly minimum: number;
  readonly maximum: number;
  readonly unit?: string;
}

/** A metric identity: CloudWatch treats the dimensions as an exact set, so {A} and {A, B} are different metrics. */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface MetricSeries extends MetricIdentity {
  points: MetricPoint[];
}

/** Statistics the embedded CloudWatch computes (percentiles are not kept). */
export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type Statistic = (typeof STATISTICS)[number];

/** One aggregated bucket of a series. */
export interface Aggregate {
  /** Start of the bucket, simulated epoch milliseconds. */
  readonly timestamp: number;
  readonly value: number;
  readonly sampleCount: number;
}

export interface MetricStoreOptions {
  /** How long datapoints are kept, simulated ms. */
  readonly retentionMs: number;
  /** Hard cap per series, whatever their age, so a runaway producer cannot exhaust memory. */
  readonly maxPointsPerSeries: number;
  readonly now: () => number;
}

/** The key of a metric identity: namespace, name and the sorted dimension set. */
export function metricKey({ namespace, metricName, dimensions }: MetricIdentity): string {
  const dims = Object.keys(dimensions).sort().map((name) => `${name}=${dimensions[name] ?? ''}`);
  return [namespace, metricName, ...dims].join('\u0000');
}

/**
 * In-memory metric datapoints with bounded retention. Points older than the retention are
 * dropped lazily (with some slack, so a steady stream does not rescan a series on every put).
 */
export class MetricStore {
  private readonly series = new Map<string, MetricSeries>();

  constructor(private readonly options: MetricStoreOptions) {}

  add(identity: MetricIdentity, point: MetricPoint): void {
    const key = metricKey(identity);
    let series = this.series.get(key);
    if (!series) {
      series = { namespace: identity.namespace, metricName: identity.metricName, dimensions: { ...identity.dimensions }, points: [] };
      this.series.set(key, series);
    }
    series.points.push(point);
    this.prune(series);
  }

  get(identity: MetricIdentity): MetricSeries | undefined {
    return this.series.get(metricKey(identity));
  }

  /** Metrics matching the given namespace and name (either may be omitted). */
  list(filter: { namespace?: string; metricName?: string } = {}): MetricSeries[] {
    return [...this.series.values()].filter((s) => (filter.namespace === undefined || s.namespace === filter.namespace) && (filter.metricName === undefined || s.metricName === filter.metricName));
  }

  /**
   * Aggregates a series into buckets of `periodMs` whose boundaries sit at `origin + k * periodMs`
   * (origin 0 gives CloudWatch's epoch-aligned periods), covering [startMs, endMs).
   * Buckets without datapoints are absent, as in CloudWatch.
   */
  aggregate(identity: MetricIdentity, statistic: Statistic, periodMs: number, startMs: number, endMs: number, origin = 0, unit?: string): Aggregate[] {
    const series = this.get(identity);
    if (!series) return [];
    const buckets = new Map<number, { sum: number; count: number; min: number; max: number }>();
    for (const point of series.points) {
      if (point.timestamp < startMs || point.timestamp >= endMs) continue;
      if (unit !== undefined && point.unit !== unit) continue;
      const start = origin + Math.floor((point.timestamp - origin) / periodMs) * periodMs;
      const bucket = buckets.get(start);
      if (bucket) {
        bucket.sum += point.sum;
        bucket.count += point.sampleCount;
        bucket.min = Math.min(bucket.min, point.minimum);
        bucket.max = Math.max(bucket.max, point.maximum);
      } else {
        buckets.set(start, { sum: point.sum, count: point.sampleCount, min: point.minimum, max: point.maximum });
      }
    }
    return [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([timestamp, b]) => ({ timestamp, sampleCount: b.count, value: statisticOf(statistic, b) }));
  }

  private prune(series: MetricSeries): void {
    const { retentionMs, maxPointsPerSeries, now } = this.options;
    const cutoff = now() - retentionMs;
    const oldest = series.points[0];
    if (oldest && oldest.timestamp < cutoff - retentionMs / 10) series.points = series.points.filter((p) => p.timestamp >= cutoff);
    if (series.points.length > maxPointsPerSeries) series.points.splice(0, series.points.length - maxPointsPerSeries);
  }
}

function statisticOf(statistic: Statistic, b: { sum: number; count: number; min: number; max: number }): number {
  switch (statistic) {
    case 'Sum': return b.sum;
    case 'SampleCount': return b.count;
    case 'Average': return b.count === 0 ? 0 : b.sum / b.count;
    case 'Minimum': return b.min;
    case 'Maximum': return b.max;
  }
}
