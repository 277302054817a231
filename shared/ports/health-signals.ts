/** The error-rate alarm fledge creates on the new version only (ExecutedVersion dimension). */
export interface VersionAlarmDefinition {
  readonly alarmName: string;
  readonly functionName: string;
  readonly alias: string;
  readonly version: string;
  /** Percent of invocations that errored, above which the alarm fires. */
  readonly thresholdPercent: number;
  /** Below this many invocations in a period, the rate is not judged (reads as 0). */
  readonly minInvocations: number;
  /** Seconds; Lambda's standard metrics have 1-minute resolution. */
  readonly periodSeconds: number;
  readonly description: string;
}

/** The state of one alarm; `missing` when no alarm has that name. */
export interface AlarmStatus {
  readonly name: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'missing';
  readonly reason?: string;
}

/** Which invocations {@link HealthSignals.versionMetrics} counts: the new version's, through the alias. */
export interface VersionMetricsQuery {
  readonly functionName: string;
  readonly alias: string;
  readonly version: string;
  /** Epoch ms: counted from the minute this falls in (Lambda's metrics have 1-minute resolution). */
  readonly from: number;
  /** Epoch ms (the simulated clock's in local mode): counted through the end of the minute this falls in. */
  readonly to: number;
}

/** Sums of the new version's `Errors` and `Invocations`. */
export interface ErrorCounts {
  readonly errors: number;
  readonly invocations: number;
}

/** The new version's counts in one minute, stamped with the minute's start (epoch ms). */
export interface MinuteCounts extends ErrorCounts {
  readonly minute: number;
}

/** One CloudWatch metric read over a whole window (GetMetricData's MetricStat). */
export interface WindowMetric {
  /** Starts with a lowercase letter; letters, digits and `_` (GetMetricData's rule). */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount` or a percentile (`p99`). */
  readonly stat: string;
  /** False for a metric only an expression uses. */
  readonly returnData: boolean;
}

/** A metric-math expression over the window's metrics, by id. */
export interface WindowExpression {
  readonly id: string;
  readonly expression: string;
  readonly returnData: boolean;
}

/** Metrics read as one value each over one window of whole minutes. */
export interface WindowQuery {
  readonly queries: readonly (WindowMetric | WindowExpression)[];
  /** Epoch ms: from the minute this falls in. */
  readonly from: number;
  /** Epoch ms: through the end of the minute this falls in. */
  readonly to: number;
}

/** CloudWatch as the engine uses it. */
export interface HealthSignals {
  /** Creates or replaces the alarm (PutMetricAlarm is an upsert, so retries are safe). */
  ensureVersionAlarm(definition: VersionAlarmDefinition): Promise<void>;
  /** Deletes the alarms; absent ones are fine. */
  deleteAlarms(alarmNames: readonly string[]): Promise<void>;
  /** States of the named alarms, in the order asked. */
  describeAlarms(alarmNames: readonly string[]): Promise<readonly AlarmStatus[]>;
  /**
   * The new version's errors and invocations per minute over the query's range (minutes without
   * any are left out), read from the metrics now rather than from the alarm, which only turns red
   * at its next evaluation.
   */
  versionMetrics(query: VersionMetricsQuery): Promise<readonly MinuteCounts[]>;
  /**
   * One value per returned query over the whole window (a single period as long as the window,
   * so a percentile is the window's percentile). A query without a datapoint is absent from the map.
   */
  windowValues(query: WindowQuery): Promise<ReadonlyMap<string, number>>;
}
