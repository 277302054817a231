import { evaluate, MetricMathError, parseExpression, referencedIds, type MathValue } from './metric-math';
import type { MetricIdentity, MetricStore, Statistic } from './metric-store';

/** A metric query as GetMetricData and metric-math alarms share it, already validated. */
export interface MetricQuery {
  readonly id: string;
  readonly label?: string;
  readonly returnData: boolean;
  readonly metricStat?: { readonly metric: MetricIdentity; readonly period: number; readonly stat: Statistic; readonly unit?: string };
  readonly expression?: string;
  /** Seconds; for expressions, the granularity of the grid FILL fills. */
  readonly period?: number;
}

/** The time range of a query run: buckets start at `origin + k * period` within [startMs, endMs). */
export interface QueryRange {
  readonly startMs: number;
  readonly endMs: number;
  /** GetMetricData aligns buckets to its rounded StartTime; alarms use windows ending now; 0 aligns to the epoch. */
  readonly origin?: number;
}

/** The period (seconds) an expression works at: its own, else the finest of the metrics it uses. */
export function expressionPeriod(queries: readonly MetricQuery[], query: MetricQuery): number {
  if (query.period !== undefined) return query.period;
  const periods = queries.flatMap((q) => (q.metricStat ? [q.metricStat.period] : []));
  return periods.length > 0 ? Math.min(...periods) : 60;
}

/** Bucket starts of a range at a period, ascending. */
export function gridOf(range: QueryRange, periodMs: number): number[] {
  const origin = range.origin ?? 0;
  const grid: number[] = [];
  for (let t = origin + Math.floor((range.startMs - origin) / periodMs) * periodMs; t < range.endMs; t += periodMs) grid.push(t);
  return grid;
}

/**
 * Checks the query ids and expression references: unique ids, each query exactly one of
 * MetricStat and Expression, expressions that parse and refer only to known ids, no cycles.
 * Throws {@link MetricMathError} naming the query.
 */
export function checkQueries(queries: readonly MetricQuery[]): void {
  const ids = new Set<string>();
  for (const query of queries) {
    if (ids.has(query.id)) throw new MetricMathError(`the id '${query.id}' is used by more than one query`);
    ids.add(query.id);
  }
  const dependencies = new Map<string, string[]>();
  for (const query of queries) {
    if (query.expression === undefined) continue;
    let refs: string[];
    try {
      refs = referencedIds(parseExpression(query.expression));
    } catch (error) {
      throw new MetricMathError(`Error in expression '${query.id}': ${(error as Error).message}`, { cause: error });
    }
    for (const ref of refs) if (!ids.has(ref)) throw new MetricMathError(`Error in expression '${query.id}': unknown metric id '${ref}'`);
    dependencies.set(query.id, refs);
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string): void => {
    if (done.has(id)) return;
    if (visiting.has(id)) throw new MetricMathError(`the expression '${id}' refers to itself through other expressions`);
    visiting.add(id);
    for (const ref of dependencies.get(id) ?? []) visit(ref);
    visiting.delete(id);
    done.add(id);
  };
  for (const id of dependencies.keys()) visit(id);
}

/** Runs every query over the range; the result maps each id to its value. Assumes {@link checkQueries} passed. */
export function runQueries(store: MetricStore, queries: readonly MetricQuery[], range: QueryRange): Map<string, MathValue> {
  const byId = new Map(queries.map((q) => [q.id, q]));
  const results = new Map<string, MathValue>();
  const resolve = (id: string): MathValue | undefined => {
    const cached = results.get(id);
    if (cached) return cached;
    const query = byId.get(id);
    if (!query) return undefined;
    let value: MathValue;
    if (query.metricStat) {
      const { metric, period, stat, unit } = query.metricStat;
      const points = store.aggregate(metric, stat, period * 1000, range.startMs, range.endMs, range.origin ?? 0, unit);
      value = { kind: 'series', points: new Map(points.map((p) => [p.timestamp, p.value])) };
    } else {
      const grid = gridOf(range, expressionPeriod(queries, query) * 1000);
      try {
        value = evaluate(parseExpression(query.expression ?? ''), { resolve, grid });
      } catch (error) {
        if (error instanceof MetricMathError && !error.message.startsWith('Error in expression')) throw new MetricMathError(`Error in expression '${query.id}': ${error.message}`, { cause: error });
        throw error;
      }
    }
    results.set(id, value);
    return value;
  };
  for (const query of queries) resolve(query.id);
  return results;
}
