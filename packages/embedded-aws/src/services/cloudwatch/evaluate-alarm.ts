import { alarmPeriod, alarmQueries, type Alarm, type AlarmStateValue, type ComparisonOperator } from './alarm';
import type { MathValue } from './metric-math';
import { runQueries } from './metric-query';
import type { MetricStore } from './metric-store';

/** The outcome of one evaluation: the state the alarm should be in and why. */
export interface Evaluation {
  readonly value: AlarmStateValue;
  readonly reason: string;
  readonly reasonData: string;
}

const WORDS: Record<ComparisonOperator, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

const BREACHES: Record<ComparisonOperator, (value: number, threshold: number) => boolean> = {
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

/** Numbers as CloudWatch's reasons print them (Java doubles: `5.0`, `12.5`). */
const show = (n: number): string => (Number.isInteger(n) ? n.toFixed(1) : String(n));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
/** `22/11/26 03:14:00`, the datapoint stamp CloudWatch puts in reasons. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}
const isoStamp = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000');

/**
 * Evaluates an alarm at simulated time `now` over its last `EvaluationPeriods` windows of one
 * period each. The windows END AT `now` (the newest holds the most recent period of data)
 * rather than being CloudWatch's completed, minute-aligned periods: metrics arrive here the
 * moment a function runs, so a failing canary turns its alarm red within one evaluation.
 * Returns undefined when the alarm keeps its state (TreatMissingData `ignore` with no data).
 */
export function evaluateAlarm(alarm: Alarm, store: MetricStore, now: number): Evaluation | undefined {
  const { config } = alarm;
  const periodMs = alarmPeriod(config) * 1000;
  const n = config.evaluationPeriods;
  const m = config.datapointsToAlarm ?? n;
  // Windows are half-open [start, end): end just after `now` so a datapoint stamped this very millisecond counts.
  const endMs = now + 1;
  const startMs = endMs - n * periodMs;
  const queries = alarmQueries(config);
  const results = runQueries(store, queries, { startMs, endMs, origin: ((endMs % periodMs) + periodMs) % periodMs });
  const returned = results.get((queries.find((q) => q.returnData) ?? queries[0])?.id ?? '') as MathValue;
  const windows = Array.from({ length: n }, (_, k) => startMs + k * periodMs);
  const valueAt = (t: number): number | undefined => (returned.kind === 'scalar' ? returned.value : returned.kind === 'series' ? returned.points.get(t) : undefined);
  const datapoints = windows.map((timestamp) => ({ timestamp, value: valueAt(timestamp) }));
  const present = datapoints.filter((d): d is { timestamp: number; value: number } => d.value !== undefined);
  const breaches = BREACHES[config.comparisonOperator];
  const breaching = present.filter((d) => breaches(d.value, config.threshold));
  const missing = n - present.length;
  const treat = config.treatMissingData ?? 'missing';
  if (treat === 'ignore' && present.length === 0) return undefined;

  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: isoStamp(now),
    startDate: isoStamp(startMs),
    ...(config.single && { statistic: config.single.statistic }),
    period: periodMs / 1000,
    recentDatapoints: present.map((d) => d.value),
    threshold: config.threshold,
    evaluatedDatapoints: [...datapoints].reverse().map((d) => ({ timestamp: isoStamp(d.timestamp), ...(d.value !== undefined && { value: d.value }) })),
  });
  const list = (points: readonly { timestamp: number; value: number }[]): string => `[${[...points].reverse().map((d) => `${show(d.value)} (${stamp(d.timestamp)})`).join(', ')}]`;
  const words = WORDS[config.comparisonOperator];
  const threshold = show(config.threshold);

  if (present.length === 0 && (treat === 'missing' || treat === 'ignore')) {
    return { value: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`, reasonData };
  }
  const missingBreaching = treat === 'breaching' ? missing : 0;
  const treatedAs = treat === 'breaching' ? 'Breaching' : 'NonBreaching';
  const missingNote = missing > 0 && (treat === 'breaching' || treat === 'notBreaching') ? ` and ${plural(missing, 'missing datapoint')} ${missing === 1 ? 'was' : 'were'} treated as [${treatedAs}]` : '';
  if (breaching.length + missingBreaching >= m) {
    const head = breaching.length > 0 ? `${breaching.length} out of the last ${n} datapoints ${list(breaching)} ${breaching.length === 1 ? 'was' : 'were'} ${words} the threshold (${threshold})` : `no datapoints were received for ${plural(missing, 'period')}`;
    return { value: 'ALARM', reason: `Threshold Crossed: ${head}${missingNote} (minimum ${plural(m, 'datapoint')} for ${alarm.state.value} -> ALARM transition).`, reasonData };
  }
  const head = present.length > 0 ? `${plural(present.length, 'datapoint')} ${list(present)} ${present.length === 1 ? 'was' : 'were'} not ${words} the threshold (${threshold})` : `no datapoints were received for ${plural(missing, 'period')}`;
  return { value: 'OK', reason: `Threshold Crossed: ${head}${missingNote}.`, reasonData };
}
