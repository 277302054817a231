import type { InputProblem } from '../errors';
import { functionNameProblem, MAX_LISTED_UNKNOWN, quote, refuseProblems } from './inputs';

const KNOWN = ['function', 'since', 'until'];
const DAY_MS = 86_400_000;
/** The default window of the delivery metrics: the last 90 days. */
export const DEFAULT_METRICS_DAYS = 90;
/** The longest window: a bound on what one request reads (about 14 months of the metrics index). */
export const MAX_METRICS_DAYS = 400;
const SINCE_LIMIT = `a duration such as 90d, 12w or 36h (at most ${MAX_METRICS_DAYS}d), or an ISO 8601 time at most ${MAX_METRICS_DAYS} days before "until"`;

const UNTIL_LIMIT = 'an ISO 8601 time, not in the future, after "since"';

/** A metrics request after validation. */
export interface MetricsRequest {
  readonly functionName?: string;
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive (`until`, default now). */
  readonly to: number;
}

/**
 * Reads `GET /metrics?function=&since=&until=`: `since` is a duration back from `until` (`90d`,
 * `12w`, `36h`) or an ISO time, default 90 days; `until` an ISO time, default now; the window is at
 * most {@link MAX_METRICS_DAYS} days. Every problem is reported at once, naming the parameter and its limit.
 */
export function parseMetricsQuery(params: Readonly<Record<string, string>>, now: number, repeated: readonly string[] = []): MetricsRequest {
  const problems: (InputProblem | undefined)[] = [];
  for (const name of repeated.filter((name) => KNOWN.includes(name))) problems.push({ in: 'query', field: name, message: 'is given more than once; give it once', limit: 'each parameter once' });
  const unknown = Object.keys(params).filter((name) => !KNOWN.includes(name));
  for (const name of unknown.slice(0, MAX_LISTED_UNKNOWN)) problems.push({ in: 'query', field: quote(name).slice(1, -1), message: `is not a parameter of the metrics; known: ${KNOWN.join(', ')}` });
  const functionName = params['function'] || undefined;
  if (functionName !== undefined) problems.push(functionNameProblem(functionName, 'query'));
  let to = now;
  const until = params['until'];
  if (until !== undefined) {
    const parsed = until.length <= 40 && /^\d{4}-\d{2}-\d{2}/.test(until) ? Date.parse(until) : NaN;
    if (!Number.isFinite(parsed) || parsed > now) problems.push({ in: 'query', field: 'until', message: `must be ${UNTIL_LIMIT}; got ${quote(until)}`, limit: UNTIL_LIMIT });
    else to = parsed;
  }
  let from = to - DEFAULT_METRICS_DAYS * DAY_MS;
  const since = params['since'];
  if (since !== undefined) {
    const parsed = sinceOf(since, to);
    if (parsed === undefined || parsed >= to || to - parsed > MAX_METRICS_DAYS * DAY_MS) problems.push({ in: 'query', field: 'since', message: `must be ${SINCE_LIMIT}; got ${quote(since)}`, limit: SINCE_LIMIT });
    else from = parsed;
  }
  refuseProblems(problems, Math.max(0, unknown.length - MAX_LISTED_UNKNOWN));
  return { ...(functionName ? { functionName } : {}), from, to };
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** Epoch ms of `since` (a duration back from `now`, or an ISO time), or undefined when it is neither. */
export function sinceOf(text: string, now: number): number | undefined {
  if (text.length > 40) return undefined;
  const duration = /^(\d{1,5})([hdw])$/.exec(text);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}
