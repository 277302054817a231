/*
 * Each version's traffic through an alias, read from CloudWatch for people (the dashboard's
 * `GET /deployments/{id}/traffic`). A port of its own, apart from `HealthSignals`: the API that
 * reads it may read metrics, never change alarms.
 */

/** Reads each version's figures per period. */
export interface VersionTraffic {
  /**
   * Each version's invocations, errors and latency (Duration p50, p99) through the alias, per
   * period of `periodSeconds` from `from` (one GetMetricData for all of them). Periods without
   * invocations are left out.
   */
  versionSeries(query: VersionSeriesQuery): Promise<readonly VersionPeriod[]>;
}

/** What {@link VersionTraffic.versionSeries} reads: versions of one alias, per period. */
export interface VersionSeriesQuery {
  readonly functionName: string;
  readonly alias: string;
  /** At most two (the old and the new). */
  readonly versions: readonly string[];
  /** Epoch ms: from the minute this falls in. */
  readonly from: number;
  /** Epoch ms: through the end of the minute this falls in. */
  readonly to: number;
  /** A multiple of 60 (Lambda's metrics have 1-minute resolution). */
  readonly periodSeconds: number;
}

/** One version's figures in one period. */
export interface VersionPeriod {
  readonly version: string;
  /** Epoch ms the period starts. */
  readonly start: number;
  readonly invocations: number;
  readonly errors: number;
  /** Milliseconds; absent without data. */
  readonly p50?: number;
  readonly p99?: number;
}
