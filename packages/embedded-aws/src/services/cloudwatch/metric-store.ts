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

/** The plain statistics the embedded CloudWatch computes; percentiles (`p99`, `p99.9`) are {@link Percentile}s. */
export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
/** An extended statistic: `p` and a percentile from 0 to 100 with at most two decimals (`p50`, `p99.99`). */
export type Percentile = `p${number}`;
export type Statistic = (typeof STATISTICS)[number] | Percentile;

/** CloudWatch's percentile syntax. */
export const PERCENTILE = /^p(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$/;

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
    const buckets = new Map<number, Bucket>();
    for (const point of series.points) {
      if (point.timestamp < startMs || point.timestamp >= endMs) continue;
      if (unit !== undefined && point.unit !== unit) continue;
      const start = origin + Math.floor((point.timestamp - origin) / periodMs) * periodMs;
      let bucket = buckets.get(start);
      if (!bucket) {
        bucket = { sum: 0, count: 0, min: Infinity, max: -Infinity, values: [] };
        buckets.set(start, bucket);
      }
      bucket.sum += point.sum;
      bucket.count += point.sampleCount;
      bucket.min = Math.min(bucket.min, point.minimum);
      bucket.max = Math.max(bucket.max, point.maximum);
      // A single value (Value, Values/Counts, Lambda's own datums) keeps its distribution; a
      // statistic set (minimum below maximum) does not, and a bucket holding one has no percentiles.
      if (bucket.values && point.minimum === point.maximum) bucket.values.push([point.minimum, point.sampleCount]);
      else bucket.values = undefined;
    }
    const aggregates: Aggregate[] = [];
    for (const [timestamp, b] of [...buckets.entries()].sort(([a], [c]) => a - c)) {
      const value = statisticOf(statistic, b);
      if (value !== undefined) aggregates.push({ timestamp, sampleCount: b.count, value });
    }
    return aggregates;
  }

  private prune(series: MetricSeries): void {
    const { retentionMs, maxPointsPerSeries, now } = this.options;
    const cutoff = now() - retentionMs;
    const oldest = series.points[0];
    if (oldest && oldest.timestamp < cutoff - retentionMs / 10) series.points = series.points.filter((p) => p.timestamp >= cutoff);
    if (series.points.length > maxPointsPerSeries) series.points.splice(0, series.points.length - maxPointsPerSeries);
  }
}

interface Bucket {
  sum: number;
  count: number;
  min: number;
  max: number;
  /** Each value with its count; undefined once a statistic set fell in the bucket. */
  values: [number, number][] | undefined;
}

/** A bucket's statistic; undefined for a percentile the bucket cannot give (a statistic set in it). */
function statisticOf(statistic: Statistic, b: Bucket): number | undefined {
  switch (statistic) {
    case 'Sum': return b.sum;
    case 'SampleCount': return b.count;
    case 'Average': return b.count === 0 ? 0 : b.sum / b.count;
    case 'Minimum': return b.min;
    case 'Maximum': return b.max;
    default: return b.values && percentileOf(b.values, Number(statistic.slice(1)));
  }
}

/**
 * The nearest-rank percentile of values with counts: the smallest value that at least `q`% of
 * the samples do not exceed (p0 is the minimum, p100 the maximum).
 */
export function percentileOf(values: readonly (readonly [number, number])[], q: number): number | undefined {
  const sorted = [...values].sort(([a], [b]) => a - b);
  const total = sorted.reduce((sum, [, count]) => sum + count, 0);
  if (total <= 0) return undefined;
  const rank = Math.max(1, Math.ceil((q / 100) * total - 1e-9));
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return sorted.at(-1)?.[0];
}
