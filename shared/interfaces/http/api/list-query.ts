import type { DeploymentQuery } from '../../../ports/deployment-store';
import type { DeploymentStatus } from '../../../model/deployment';
import type { CursorFilters } from './cursor';
import type { InputProblem } from '../errors';
import { aliasProblem, functionNameProblem, LIMITS, MAX_CURSOR_CHARS, MAX_LISTED_UNKNOWN, quote, refuseProblems } from './inputs';

/** Statuses a list may be filtered by. */
export const STATUSES: readonly DeploymentStatus[] = ['PENDING', 'QUEUED', 'RUNNING', 'AWAITING_APPROVAL', 'SUCCEEDED', 'NO_CHANGE', 'ROLLED_BACK', 'DRIFTED', 'FAILED', 'REJECTED'];
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const KNOWN = ['function', 'alias', 'status', 'since', 'limit', 'cursor'];

/** A list request after validation; the cursor is still sealed (see {@link CursorSigner}). */
export interface ListRequest {
  /** The store's query, without its cursor. */
  readonly query: Omit<DeploymentQuery, 'cursor'>;
  /** Epoch ms: only deployments created at or after it. */
  readonly since?: number;
  /** What a cursor of this list is bound to. */
  readonly filters: CursorFilters;
  /** The caller's cursor as given, to be opened against {@link ListRequest.filters}. */
  readonly cursor?: string;
}

/**
 * Reads `GET /deployments?function=&alias=&status=&since=&limit=&cursor=`. Every problem is
 * reported at once, each naming the parameter and its limit. A parameter given more than once
 * (`repeated`, see {@link repeatedQueryNames}) is refused: which of its values was meant is a guess.
 */
export function parseListQuery(params: Readonly<Record<string, string>>, repeated: readonly string[] = []): ListRequest {
  const problems: (InputProblem | undefined)[] = [];
  for (const name of repeated.filter((name) => KNOWN.includes(name))) problems.push({ in: 'query', field: name, message: 'is given more than once; give it once', limit: 'each parameter once' });
  const unknown = Object.keys(params).filter((name) => !KNOWN.includes(name));
  for (const name of unknown.slice(0, MAX_LISTED_UNKNOWN)) problems.push({ in: 'query', field: quote(name).slice(1, -1), message: `is not a parameter of this list; known: ${KNOWN.join(', ')}` });
  const functionName = params['function'] || undefined;
  const alias = params['alias'] || undefined;
  const status = params['status'] ? params['status'].toUpperCase() : undefined;
  if (functionName !== undefined) problems.push(functionNameProblem(functionName, 'query'));
  if (alias !== undefined && functionName === undefined) problems.push({ in: 'query', field: 'alias', message: 'needs "function" too: aliases are listed per function' });
  if (alias !== undefined) problems.push(aliasProblem(alias, 'query'));
  if (status !== undefined && !STATUSES.includes(status as DeploymentStatus)) problems.push({ in: 'query', field: 'status', message: `must be one of ${STATUSES.join(', ')}`, limit: LIMITS.status });
  let limit = DEFAULT_LIMIT;
  if (params['limit'] !== undefined) {
    limit = /^\d{1,6}$/.test(params['limit']) ? Number(params['limit']) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) problems.push({ in: 'query', field: 'limit', message: `must be ${LIMITS.limit}`, limit: LIMITS.limit });
  }
  let since: number | undefined;
  if (params['since'] !== undefined) {
    const text = params['since'];
    since = text.length > 40 ? NaN : /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(since)) problems.push({ in: 'query', field: 'since', message: `must be ${LIMITS.since}, e.g. 2026-11-22T10:00:00Z`, limit: LIMITS.since });
  }
  const cursor = params['cursor'];
  if (cursor !== undefined && (cursor === '' || cursor.length > MAX_CURSOR_CHARS)) problems.push({ in: 'query', field: 'cursor', message: `must be ${LIMITS.cursor}; got ${cursor.length} characters`, limit: LIMITS.cursor });
  refuseProblems(problems, Math.max(0, unknown.length - MAX_LISTED_UNKNOWN));
  const filters: CursorFilters = { ...(functionName ? { functionName } : {}), ...(alias ? { alias } : {}), ...(status ? { status } : {}), ...(since !== undefined ? { since } : {}) };
  return {
    query: { limit, ...(functionName ? { functionName } : {}), ...(alias ? { alias } : {}), ...(status ? { status: status as DeploymentStatus } : {}) },
    ...(since !== undefined ? { since } : {}),
    filters,
    ...(cursor !== undefined ? { cursor } : {}),
  };
}
