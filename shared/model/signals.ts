/** The health signals' normalised fields (docs/spec.md#signals); parsed and validated by shared/domain/spec/signals.ts. */

/** Percentiles fledge reads of `Duration`. */
export const LATENCY_PERCENTILES = ['p50', 'p90', 'p99'] as const;
export type LatencyPercentile = (typeof LATENCY_PERCENTILES)[number];

/** The placeholders a metric query may use, replaced at each check. */
export const PLACEHOLDERS = ['version', 'function', 'alias'] as const;

/** `p99: 800` in milliseconds; the per-percentile ceilings of a latency rule. */
export type Percentiles = Partial<Readonly<Record<LatencyPercentile, number>>>;

/** The new version's `Duration` percentiles must stay at or under these (ms). */
export interface LatencySignal extends Percentiles {
  /** Below this many samples of the new version in the pause, the percentiles are not judged (inconclusive). */
  readonly minSamples: number;
  readonly dryRun: boolean;
}

/** A count of the new version's in the pause (`Throttles`, `ProvisionedConcurrencySpilloverInvocations`) that must stay at or under `max`. */
export interface CountSignal {
  readonly max: number;
  readonly dryRun: boolean;
}

/** Comparisons with the old version under the same traffic: the alias's other version, over the same minutes. */
export interface BaselineSignal {
  /** Each percentile of the new version's Duration may be at most this many percent above the old version's. */
  readonly latency?: Percentiles;
  /** The new version's error rate must not be significantly above the old version's (one-sided Fisher's exact test at this level). */
  readonly errorRate?: { readonly significance: number };
  /** Samples (invocations) each version needs in the pause before a comparison is judged. */
  readonly minSamples: number;
  readonly dryRun: boolean;
}

/** One CloudWatch metric of a custom signal, as GetMetricData's MetricStat names it. Strings may hold placeholders. */
export interface MetricStatSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount` or a percentile `p0`–`p100`. */
  readonly stat: string;
}

/** A user's metric signal: one metric, or a metric-math expression over named metrics, judged by a threshold or against the old version. */
export interface MetricSignal {
  readonly name: string;
  readonly metric?: MetricStatSpec;
  readonly expression?: string;
  /** The metrics the expression refers to, by id. */
  readonly using?: Readonly<Record<string, MetricStatSpec>>;
  readonly max?: number;
  readonly min?: number;
  /** The value may be at most this many percent above the old version's (`${version}` replaced by the old version). */
  readonly maxIncreasePercent?: number;
  readonly dryRun: boolean;
}

/** The signal fields of `health`, normalised. */
export interface SignalFields {
  readonly latency?: LatencySignal;
  readonly throttles?: CountSignal;
  readonly spillover?: CountSignal;
  readonly baseline?: BaselineSignal;
  readonly metrics?: readonly MetricSignal[];
  /** Failed checks tolerated in a deployment before it rolls back; 0 (the default): the first failure rolls back. */
  readonly failureLimit?: number;
  /** Successful checks in a row a pause needs at its end before traffic moves on; default 1. */
  readonly consecutiveSuccesses?: number;
}
