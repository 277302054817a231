import * as z from 'zod';
import { quote } from './problems';
import { LATENCY_PERCENTILES, PLACEHOLDERS } from '../../model/signals';
import type { LatencyPercentile, Percentiles, MetricStatSpec, SignalFields } from '../../model/signals';

/*
 * The health signals beyond alarms and the error rate (docs/spec.md#signals): the new version's
 * latency percentiles, throttles and provisioned-concurrency spillover, comparisons with the old
 * version under the same traffic, the user's own metric queries, and how their verdicts add up
 * (failureLimit, consecutiveSuccesses). Every field is optional and its absence keeps the
 * behaviour of a spec written before they existed. Kept apart from schema.ts so that other
 * groups of fields can grow there without touching these.
 */

/** Limits of the signal fields. */
export const SIGNAL_LIMITS = {
  /** The most a latency ceiling may be: Lambda's longest timeout, in ms. */
  maxLatencyMs: 900_000,
  /** Samples a percentile or a comparison needs by default before it is judged. */
  defaultMinSamples: 20,
  maxMinSamples: 1_000_000,
  /** Custom metric signals per spec, and queries per signal (GetMetricData takes 500 in one call). */
  maxMetrics: 20,
  maxQueriesPerMetric: 10,
  maxFailureLimit: 100,
  maxConsecutiveSuccesses: 100,
  defaultSignificance: 0.05,
} as const;

const dryRun = z.boolean({ error: 'expected true or false' }).optional();

/** `800ms`, `1.5s`, `2s` or a number of milliseconds. */
const latencyMs = z.unknown().transform((value, ctx) => {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value.trim());
    if (match) ms = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  }
  if (ms === undefined || !Number.isFinite(ms)) {
    ctx.issues.push({ code: 'custom', message: `expected a latency such as 800ms, 1.5s or a number of milliseconds, got ${typeof value === 'string' ? quote(value) : String(value)}`, input: value });
    return z.NEVER;
  }
  if (!(ms > 0) || ms > SIGNAL_LIMITS.maxLatencyMs) {
    ctx.issues.push({ code: 'custom', message: `must be above 0 and at most ${SIGNAL_LIMITS.maxLatencyMs}ms (15 minutes, Lambda's longest timeout)`, input: value });
    return z.NEVER;
  }
  return ms;
}).meta({
  description: 'A latency: "800ms", "1.5s" or a number of milliseconds, above 0 and at most 15 minutes.',
  anyOf: [{ type: 'string', pattern: '^\\s*\\d+(?:\\.\\d+)?(?:ms|s)\\s*$' }, { type: 'number', exclusiveMinimum: 0, maximum: SIGNAL_LIMITS.maxLatencyMs }],
});

/** `20%` or `20`: a non-negative percentage (an increase may exceed 100%). */
const increasePercent = z.unknown().transform((value, ctx) => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?%$/.test(value.trim()) ? Number(value.trim().slice(0, -1)) : undefined;
  if (n === undefined || !Number.isFinite(n) || n < 0 || n > 1000) {
    ctx.issues.push({ code: 'custom', message: `expected a percentage from 0 to 1000 such as 20% (how far above the old version's), got ${typeof value === 'string' ? quote(value) : String(value)}`, input: value });
    return z.NEVER;
  }
  return n;
}).meta({
  description: 'A percentage above the old version\'s: "20%" or 20, from 0 to 1000.',
  anyOf: [{ type: 'string', pattern: '^\\s*\\d+(?:\\.\\d+)?%\\s*$' }, { type: 'number', minimum: 0, maximum: 1000 }],
});

const minSamples = z.int('expected a whole number of samples').min(1, 'must be at least 1').max(SIGNAL_LIMITS.maxMinSamples, `must be at most ${SIGNAL_LIMITS.maxMinSamples}`).optional();

const count = z.strictObject({ max: z.int('expected a whole number').min(0, 'must be 0 or more'), dryRun });

/** Checks every `${…}` in a string names a known placeholder. */
function placeholders(text: string, ctx: z.RefinementCtx): void {
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1] ?? '')) {
      ctx.addIssue({ code: 'custom', message: `unknown placeholder ${quote(match[0])}: the placeholders are ${PLACEHOLDERS.map((p) => `\${${p}}`).join(', ')}` });
    }
  }
}

const templated = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).superRefine(placeholders);

const STAT = /^(SampleCount|Average|Sum|Minimum|Maximum|p(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?))$/;

const metricStat = z.strictObject({
  namespace: templated(255),
  name: templated(255),
  dimensions: z.record(z.string().min(1).max(255), templated(1024)).optional(),
  stat: z.string().regex(STAT, 'expected Sum, Average, Minimum, Maximum, SampleCount or a percentile such as p99'),
});

const ID = /^[a-z][a-zA-Z0-9_]{0,63}$/;

const metricSignal = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, ".", "-" or "_"'),
    metric: metricStat.optional(),
    expression: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters').superRefine(placeholders).optional(),
    using: z
      .record(z.string().regex(ID, 'metric ids start with a lowercase letter, then letters, digits or "_"'), metricStat)
      .refine((ids) => Object.keys(ids).length <= SIGNAL_LIMITS.maxQueriesPerMetric, `at most ${SIGNAL_LIMITS.maxQueriesPerMetric} metrics per expression`)
      .optional(),
    max: z.number().optional(),
    min: z.number().optional(),
    baseline: z.strictObject({ maxIncrease: increasePercent }).optional(),
    dryRun,
  })
  .superRefine((value, ctx) => {
    if ((value.metric === undefined) === (value.expression === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "metric" (one CloudWatch metric) or "expression" (metric math over the metrics in "using")' });
    }
    if (value.expression !== undefined && value.using === undefined) ctx.addIssue({ code: 'custom', path: ['using'], message: '"expression" needs "using": the metrics it refers to, by id' });
    if (value.using !== undefined && value.expression === undefined) ctx.addIssue({ code: 'custom', path: ['using'], message: '"using" only goes with "expression"' });
    if (value.expression !== undefined && value.using !== undefined) {
      const ids = Object.keys(value.using);
      const words = [...value.expression.replace(/\$\{[^}]*\}/g, '').matchAll(/\b[a-z][a-zA-Z0-9_]*\b/g)].map((m) => m[0]);
      for (const word of new Set(words)) {
        if (!ids.includes(word)) ctx.addIssue({ code: 'custom', path: ['expression'], message: `refers to ${quote(word)}, which is not a metric in "using" (${ids.join(', ')})` });
      }
    }
    if (value.max === undefined && value.min === undefined && value.baseline === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give "max", "min" or "baseline" (how the value is judged)' });
    }
    if (value.max !== undefined && value.min !== undefined && value.min > value.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `${value.min} is above max ${value.max}` });
  });

/** The signal fields of `health` as users write them, merged into its schema. */
export const signalFieldsSchema = {
  latency: z
    .strictObject({ p50: latencyMs.optional(), p90: latencyMs.optional(), p99: latencyMs.optional(), minSamples, dryRun })
    .refine((value) => LATENCY_PERCENTILES.some((p) => value[p] !== undefined), 'give at least one of p50, p90, p99 (e.g. "p99: 800ms")')
    .optional(),
  throttles: count.optional(),
  spillover: count.optional(),
  baseline: z
    .strictObject({
      latency: z
        .strictObject({ p50: increasePercent.optional(), p90: increasePercent.optional(), p99: increasePercent.optional() })
        .refine((value) => LATENCY_PERCENTILES.some((p) => value[p] !== undefined), 'give at least one of p50, p90, p99 (e.g. "p99: 20%")')
        .optional(),
      errorRate: z
        .strictObject({ significance: z.number().refine((n) => n > 0 && n <= 0.5, 'must be a level above 0 and at most 0.5, such as 0.05').optional() })
        .optional(),
      minSamples,
      dryRun,
    })
    .refine((value) => value.latency !== undefined || value.errorRate !== undefined, 'give "latency", "errorRate" or both: what to compare with the old version')
    .optional(),
  metrics: z
    .array(metricSignal)
    .max(SIGNAL_LIMITS.maxMetrics, `at most ${SIGNAL_LIMITS.maxMetrics} metrics`)
    .superRefine((list, ctx) => {
      const seen = new Map<string, number>();
      list.forEach((item, index) => {
        const first = seen.get(item.name);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate metric name ${quote(item.name)} (already at [${first}])` });
        else seen.set(item.name, index);
      });
    })
    .optional(),
  failureLimit: z.int('expected a whole number of failed checks').min(0, 'must be 0 or more').max(SIGNAL_LIMITS.maxFailureLimit, `must be at most ${SIGNAL_LIMITS.maxFailureLimit}`).optional(),
  consecutiveSuccesses: z.int('expected a whole number of checks').min(1, 'must be at least 1').max(SIGNAL_LIMITS.maxConsecutiveSuccesses, `must be at most ${SIGNAL_LIMITS.maxConsecutiveSuccesses}`).optional(),
};

type WrittenSignals = { [K in keyof typeof signalFieldsSchema]?: z.infer<(typeof signalFieldsSchema)[K]> };

function percentiles(written: Partial<Record<LatencyPercentile, number | undefined>>): Percentiles {
  return Object.fromEntries(LATENCY_PERCENTILES.flatMap((p) => (written[p] === undefined ? [] : [[p, written[p]]])));
}

function stat(written: z.infer<typeof metricStat>): MetricStatSpec {
  return { namespace: written.namespace, metricName: written.name, dimensions: written.dimensions ?? {}, stat: written.stat };
}

/** The normalised signal fields: only those written, with their defaults filled in. */
export function normaliseSignals(written: WrittenSignals | undefined): SignalFields {
  if (!written) return {};
  const { latency, throttles, spillover, baseline, metrics, failureLimit, consecutiveSuccesses } = written;
  return {
    ...(latency && { latency: { ...percentiles(latency), minSamples: latency.minSamples ?? SIGNAL_LIMITS.defaultMinSamples, dryRun: latency.dryRun ?? false } }),
    ...(throttles && { throttles: { max: throttles.max, dryRun: throttles.dryRun ?? false } }),
    ...(spillover && { spillover: { max: spillover.max, dryRun: spillover.dryRun ?? false } }),
    ...(baseline && {
      baseline: {
        ...(baseline.latency && { latency: percentiles(baseline.latency) }),
        ...(baseline.errorRate && { errorRate: { significance: baseline.errorRate.significance ?? SIGNAL_LIMITS.defaultSignificance } }),
        minSamples: baseline.minSamples ?? SIGNAL_LIMITS.defaultMinSamples,
        dryRun: baseline.dryRun ?? false,
      },
    }),
    ...(metrics && {
      metrics: metrics.map((m) => ({
        name: m.name,
        ...(m.metric && { metric: stat(m.metric) }),
        ...(m.expression !== undefined && { expression: m.expression }),
        ...(m.using && { using: Object.fromEntries(Object.entries(m.using).map(([id, s]) => [id, stat(s)])) }),
        ...(m.max !== undefined && { max: m.max }),
        ...(m.min !== undefined && { min: m.min }),
        ...(m.baseline && { maxIncreasePercent: m.baseline.maxIncrease }),
        dryRun: m.dryRun ?? false,
      })),
    }),
    ...(failureLimit !== undefined && { failureLimit }),
    ...(consecutiveSuccesses !== undefined && { consecutiveSuccesses }),
  };
}
