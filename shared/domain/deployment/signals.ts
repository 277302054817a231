import type { HealthSignals, WindowExpression, WindowMetric } from '../../ports/health-signals';
import type { HealthSpec } from '../../model/spec';
import { LATENCY_PERCENTILES, type LatencyPercentile, type MetricSignal, type MetricStatSpec } from '../../model/signals';
import { fisherGreaterPValue } from '../stats/fisher';

/*
 * The health signals beyond alarms and the error rate (docs/spec.md#signals), each read for the
 * new version only (ExecutedVersion) over the pause so far, some compared with the old version
 * over the same minutes. Each gives a reading: its value, what it was held against, and a
 * verdict — pass, fail, or inconclusive (too few samples, no data): too little evidence is never health.
 */

/** What one signal measured at a check. */
export interface SignalReading {
  /** `latency p99`, `throttles`, `spillover`, `baseline latency p99`, `baseline error rate`, `metric orders`. */
  readonly name: string;
  /** The new version's value; absent without data. */
  readonly value?: number;
  /** The old version's value, for a comparison. */
  readonly baseline?: number;
  /** What the value was held against: a ceiling, a floor, or the most the baseline allows. */
  readonly threshold?: number;
  /** Samples behind the value (a percentile's), when known. */
  readonly samples?: number;
  /** Fisher's p-value, for the error-rate comparison. */
  readonly pValue?: number;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /** Measured and recorded, never gating. */
  readonly dryRun: boolean;
  /** For people: `p99 of version 3 is 950ms over 120 samples, above 800ms`. */
  readonly detail: string;
}

/** Whose metrics a check reads. */
export interface SignalTarget {
  readonly functionName: string;
  readonly alias: string;
  readonly version: string;
  /** The alias's other routed version (the old one), for comparisons; absent when there is none. */
  readonly baselineVersion?: string;
}

/** Whether the spec has any signal this module reads. */
export function hasSignals(health: HealthSpec): boolean {
  return health.latency !== undefined || health.throttles !== undefined || health.spillover !== undefined || health.baseline !== undefined || (health.metrics?.length ?? 0) > 0;
}

/** Samples a percentile needs beyond the spec's floor: a p99 over fewer than 100 values is their maximum, not a p99. */
export function samplesFor(percentile: LatencyPercentile, minSamples: number): number {
  const q = Number(percentile.slice(1)) / 100;
  return Math.max(minSamples, Math.ceil(1 / (1 - q) - 1e-9));
}

type Values = ReadonlyMap<string, number>;

interface Probe {
  readonly queries: readonly (WindowMetric | WindowExpression)[];
  read(values: Values): SignalReading;
}

const MS = (n: number): string => `${Number(n.toFixed(n < 10 ? 2 : 0))}ms`;
const num = (n: number): string => String(Number(n.toPrecision(6)));

function lambdaMetric(id: string, target: SignalTarget, version: string, metricName: string, stat: string): WindowMetric {
  return {
    id,
    namespace: 'AWS/Lambda',
    metricName,
    dimensions: { FunctionName: target.functionName, Resource: `${target.functionName}:${target.alias}`, ExecutedVersion: version },
    stat,
    returnData: true,
  };
}

/** Replaces `${version}`, `${function}`, `${alias}` (the spec reader refused any other placeholder). */
export function substitute(text: string, target: SignalTarget, version: string): string {
  return text.replace(/\$\{(version|function|alias)\}/g, (_, name: string) => (name === 'version' ? version : name === 'function' ? target.functionName : target.alias));
}

function probes(health: HealthSpec, target: SignalTarget): Probe[] {
  const out: Probe[] = [];
  const { version } = target;
  const latency = health.latency;
  if (latency) {
    const samplesId = 'lat_n';
    for (const p of LATENCY_PERCENTILES) {
      const ceiling = latency[p];
      if (ceiling === undefined) continue;
      const id = `lat_${p}`;
      const needed = samplesFor(p, latency.minSamples);
      out.push({
        queries: [lambdaMetric(id, target, version, 'Duration', p), lambdaMetric(samplesId, target, version, 'Duration', 'SampleCount')],
        read(values) {
          const samples = values.get(samplesId) ?? 0;
          const value = values.get(id);
          const base = { name: `latency ${p}`, threshold: ceiling, samples, dryRun: latency.dryRun, ...(value !== undefined && { value }) };
          if (value === undefined || samples < needed) return { ...base, verdict: 'inconclusive', detail: `${p} of version ${version} not judged: ${samples} of ${needed} samples needed` };
          const fail = value > ceiling;
          return { ...base, verdict: fail ? 'fail' : 'pass', detail: `${p} of version ${version} is ${MS(value)} over ${samples} samples, ${fail ? 'above' : 'within'} ${MS(ceiling)}` };
        },
      });
    }
  }
  for (const [key, metricName, label] of [['throttles', 'Throttles', 'throttles'], ['spillover', 'ProvisionedConcurrencySpilloverInvocations', 'spillover invocations']] as const) {
    const rule = health[key];
    if (!rule) continue;
    const id = `cnt_${key}`;
    out.push({
      queries: [lambdaMetric(id, target, version, metricName, 'Sum')],
      read(values) {
        // Lambda publishes no datapoint for a minute without any: none is 0, not "no data".
        const value = values.get(id) ?? 0;
        const fail = value > rule.max;
        return { name: key, value, threshold: rule.max, dryRun: rule.dryRun, verdict: fail ? 'fail' : 'pass', detail: `${num(value)} ${label} of version ${version}, ${fail ? 'above' : 'within'} ${rule.max}` };
      },
    });
  }
  const baseline = health.baseline;
  if (baseline) out.push(...baselineProbes(baseline, target));
  (health.metrics ?? []).forEach((metric, index) => out.push(...metricProbes(metric, index, target)));
  return out;
}

function baselineProbes(baseline: NonNullable<HealthSpec['baseline']>, target: SignalTarget): Probe[] {
  const { version, baselineVersion } = target;
  const out: Probe[] = [];
  const missing = (name: string): Probe => ({ queries: [], read: () => ({ name, dryRun: baseline.dryRun, verdict: 'inconclusive', detail: `${name} not judged: the alias routes to no other version to compare version ${version} with` }) });
  for (const p of LATENCY_PERCENTILES) {
    const allowed = baseline.latency?.[p];
    if (allowed === undefined) continue;
    const name = `baseline latency ${p}`;
    if (baselineVersion === undefined) {
      out.push(missing(name));
      continue;
    }
    const needed = samplesFor(p, baseline.minSamples);
    out.push({
      queries: [
        lambdaMetric(`new_${p}`, target, version, 'Duration', p),
        lambdaMetric('new_n', target, version, 'Duration', 'SampleCount'),
        lambdaMetric(`old_${p}`, target, baselineVersion, 'Duration', p),
        lambdaMetric('old_n', target, baselineVersion, 'Duration', 'SampleCount'),
      ],
      read(values) {
        const value = values.get(`new_${p}`);
        const old = values.get(`old_${p}`);
        const samples = values.get('new_n') ?? 0;
        const oldSamples = values.get('old_n') ?? 0;
        const base = { name, samples, dryRun: baseline.dryRun, ...(value !== undefined && { value }), ...(old !== undefined && { baseline: old, threshold: old * (1 + allowed / 100) }) };
        if (value === undefined || old === undefined || samples < needed || oldSamples < needed) {
          return { ...base, verdict: 'inconclusive', detail: `${p} of version ${version} not compared: ${samples} samples of it and ${oldSamples} of version ${baselineVersion}, ${needed} needed of each` };
        }
        const limit = old * (1 + allowed / 100);
        const fail = value > limit;
        const above = old > 0 ? `${Number((((value - old) / old) * 100).toFixed(1))}%` : 'n/a';
        return { ...base, verdict: fail ? 'fail' : 'pass', detail: `${p} of version ${version} is ${MS(value)}, ${above} against ${MS(old)} of version ${baselineVersion}; ${allowed}% allowed` };
      },
    });
  }
  if (baseline.errorRate) {
    const name = 'baseline error rate';
    const { significance } = baseline.errorRate;
    if (baselineVersion === undefined) out.push(missing(name));
    else {
      out.push({
        queries: [
          lambdaMetric('new_err', target, version, 'Errors', 'Sum'),
          lambdaMetric('new_inv', target, version, 'Invocations', 'Sum'),
          lambdaMetric('old_err', target, baselineVersion, 'Errors', 'Sum'),
          lambdaMetric('old_inv', target, baselineVersion, 'Invocations', 'Sum'),
        ],
        read(values) {
          const errors = values.get('new_err') ?? 0;
          const calls = values.get('new_inv') ?? 0;
          const oldErrors = values.get('old_err') ?? 0;
          const oldCalls = values.get('old_inv') ?? 0;
          const rate = (e: number, c: number): string => `${c > 0 ? Number(((100 * e) / c).toFixed(2)) : 0}% (${e} of ${c})`;
          const base = { name, samples: calls, dryRun: baseline.dryRun, threshold: significance, ...(calls > 0 && { value: (100 * errors) / calls }), ...(oldCalls > 0 && { baseline: (100 * oldErrors) / oldCalls }) };
          if (calls < baseline.minSamples || oldCalls < baseline.minSamples) {
            return { ...base, verdict: 'inconclusive', detail: `error rate of version ${version} not compared: ${calls} invocations of it and ${oldCalls} of version ${baselineVersion}, ${baseline.minSamples} needed of each` };
          }
          const pValue = fisherGreaterPValue({ failures: errors, trials: calls }, { failures: oldErrors, trials: oldCalls });
          const fail = pValue < significance;
          return {
            ...base,
            pValue,
            verdict: fail ? 'fail' : 'pass',
            detail: `error rate of version ${version} ${rate(errors, calls)} against ${rate(oldErrors, oldCalls)} of version ${baselineVersion}: ${fail ? 'significantly higher' : 'not significantly higher'} (Fisher's exact test, p = ${num(pValue)}, level ${significance})`,
          };
        },
      });
    }
  }
  return out;
}

function statQuery(id: string, spec: MetricStatSpec, target: SignalTarget, version: string, returnData: boolean): WindowMetric {
  return {
    id,
    namespace: substitute(spec.namespace, target, version),
    metricName: substitute(spec.metricName, target, version),
    dimensions: Object.fromEntries(Object.entries(spec.dimensions).map(([name, value]) => [name, substitute(value, target, version)])),
    stat: spec.stat,
    returnData,
  };
}

/** The queries of one custom signal for one version, ids prefixed so signals never share one. */
function metricQueries(metric: MetricSignal, prefix: string, target: SignalTarget, version: string): { queries: (WindowMetric | WindowExpression)[]; id: string } {
  const id = `${prefix}v`;
  if (metric.metric) return { id, queries: [statQuery(id, metric.metric, target, version, true)] };
  const using = metric.using ?? {};
  const queries: (WindowMetric | WindowExpression)[] = Object.entries(using).map(([ref, spec]) => statQuery(`${prefix}${ref}`, spec, target, version, false));
  // The reader checked every lowercase word of the expression is one of `using`'s ids; function names are uppercase.
  const expression = substitute(metric.expression ?? '', target, version).replace(/\b[a-z][a-zA-Z0-9_]*\b/g, (word) => (Object.hasOwn(using, word) ? `${prefix}${word}` : word));
  queries.push({ id, expression, returnData: true });
  return { id, queries };
}

function metricProbes(metric: MetricSignal, index: number, target: SignalTarget): Probe[] {
  const name = `metric ${metric.name}`;
  const { version, baselineVersion } = target;
  const own = metricQueries(metric, `u${index}_`, target, version);
  const compare = metric.maxIncreasePercent !== undefined && baselineVersion !== undefined ? metricQueries(metric, `b${index}_`, target, baselineVersion) : undefined;
  return [
    {
      queries: [...own.queries, ...(compare?.queries ?? [])],
      read(values) {
        const value = values.get(own.id);
        const old = compare && values.get(compare.id);
        const base = { name, dryRun: metric.dryRun, ...(value !== undefined && { value }), ...(old !== undefined && { baseline: old }) };
        if (value === undefined) return { ...base, verdict: 'inconclusive', detail: `${name} of version ${version} has no data` };
        const failures: string[] = [];
        if (metric.max !== undefined && value > metric.max) failures.push(`above ${num(metric.max)}`);
        if (metric.min !== undefined && value < metric.min) failures.push(`below ${num(metric.min)}`);
        let threshold = metric.max ?? metric.min;
        let comparison = '';
        if (metric.maxIncreasePercent !== undefined) {
          if (old === undefined) {
            if (failures.length === 0) return { ...base, verdict: 'inconclusive', detail: `${name} of version ${version} is ${num(value)}; no value of ${baselineVersion === undefined ? 'an old version' : `version ${baselineVersion}`} to compare it with` };
          } else {
            const limit = old + Math.abs(old) * (metric.maxIncreasePercent / 100);
            threshold = limit;
            comparison = ` against ${num(old)} of version ${baselineVersion ?? '?'} (${metric.maxIncreasePercent}% allowed)`;
            if (value > limit) failures.push(`more than ${metric.maxIncreasePercent}% above the old version's`);
          }
        }
        return { ...base, ...(threshold !== undefined && { threshold }), verdict: failures.length > 0 ? 'fail' : 'pass', detail: `${name} of version ${version} is ${num(value)}${comparison}${failures.length > 0 ? `: ${failures.join(', ')}` : ''}` };
      },
    },
  ];
}

/**
 * Reads every signal of the spec for the new version (and the old one, for comparisons) over
 * `[from, to]` in one GetMetricData call, and judges each. Empty when the spec has none.
 */
export async function readSignals(health: HealthSignals, spec: HealthSpec, target: SignalTarget, window: { readonly from: number; readonly to: number }): Promise<readonly SignalReading[]> {
  const list = probes(spec, target);
  if (list.length === 0) return [];
  const seen = new Set<string>();
  const queries = list.flatMap((probe) => probe.queries).filter((query) => (seen.has(query.id) ? false : (seen.add(query.id), true)));
  const values = queries.length > 0 ? await health.windowValues({ queries, from: window.from, to: window.to }) : new Map<string, number>();
  return list.map((probe) => probe.read(values));
}

/** The check's verdict from its signals: failures and inconclusive ones among those that gate. */
export function signalVerdict(readings: readonly SignalReading[]): { readonly failed: readonly SignalReading[]; readonly inconclusive: readonly SignalReading[] } {
  const gating = readings.filter((reading) => !reading.dryRun);
  return { failed: gating.filter((r) => r.verdict === 'fail'), inconclusive: gating.filter((r) => r.verdict === 'inconclusive') };
}

/** `latency p99 950ms > 800ms (fail); throttles 0 ≤ 0 (pass, dry run)`: every reading in one line. */
export function describeReadings(readings: readonly SignalReading[]): string {
  return readings.map((r) => `${r.detail} [${r.verdict}${r.dryRun ? ', dry run' : ''}]`).join('; ');
}
