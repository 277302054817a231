import { createHash } from 'node:crypto';
import type { DeploymentQuery } from '../../ports/deployment-store';
import type { DeploymentStatus } from '../deployment/model';
import { BadRequestError } from './errors';

/** Statuses a list may be filtered by. */
export const STATUSES: readonly DeploymentStatus[] = ['PENDING', 'RUNNING', 'AWAITING_APPROVAL', 'SUCCEEDED', 'NO_CHANGE', 'ROLLED_BACK', 'DRIFTED', 'FAILED', 'REJECTED'];
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const KNOWN = new Set(['function', 'alias', 'status', 'since', 'limit', 'cursor']);

/** A list request after validation. */
export interface ListRequest {
  readonly query: DeploymentQuery;
  /** Epoch ms: only deployments created at or after it. */
  readonly since?: number;
}

/**
 * Reads `GET /deployments?function=&alias=&status=&since=&limit=&cursor=`. Every problem is
 * reported at once in `details`. The cursor is bound to the filters it was issued for.
 */
export function parseListQuery(params: Readonly<Record<string, string>>): ListRequest {
  const problems: { parameter: string; message: string }[] = [];
  for (const name of Object.keys(params)) if (!KNOWN.has(name)) problems.push({ parameter: name, message: `unknown parameter; known: ${[...KNOWN].join(', ')}` });
  const functionName = params['function'] || undefined;
  const alias = params['alias'] || undefined;
  const status = params['status'] ? params['status'].toUpperCase() : undefined;
  if (functionName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(functionName)) problems.push({ parameter: 'function', message: 'must be a function name (1-64 letters, digits, - or _)' });
  if (alias !== undefined && functionName === undefined) problems.push({ parameter: 'alias', message: 'filtering by alias needs function too' });
  if (alias !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(alias)) problems.push({ parameter: 'alias', message: 'must be an alias name' });
  if (status !== undefined && !STATUSES.includes(status as DeploymentStatus)) problems.push({ parameter: 'status', message: `must be one of ${STATUSES.join(', ')}` });
  let limit = DEFAULT_LIMIT;
  if (params['limit'] !== undefined) {
    limit = /^\d{1,6}$/.test(params['limit']) ? Number(params['limit']) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) problems.push({ parameter: 'limit', message: `must be a whole number from 1 to ${MAX_LIMIT}` });
  }
  let since: number | undefined;
  if (params['since'] !== undefined) {
    since = /^\d+$/.test(params['since']) ? Number(params['since']) : Date.parse(params['since']);
    if (!Number.isFinite(since)) problems.push({ parameter: 'since', message: 'must be an ISO 8601 time (2026-11-22T10:00:00Z) or epoch milliseconds' });
  }
  const filters = { functionName, alias, status };
  let cursor: string | undefined;
  if (params['cursor'] !== undefined) {
    cursor = unwrapCursor(params['cursor'], filters);
    if (cursor === undefined) problems.push({ parameter: 'cursor', message: 'is not a cursor this API returned for these filters' });
  }
  if (problems.length > 0) throw new BadRequestError(`invalid query: ${problems.map((p) => `${p.parameter} ${p.message}`).join('; ')}`, { problems });
  return {
    query: { limit, ...(functionName ? { functionName } : {}), ...(alias ? { alias } : {}), ...(status ? { status: status as DeploymentStatus } : {}), ...(cursor ? { cursor } : {}) },
    ...(since !== undefined ? { since } : {}),
  };
}

function filterTag(filters: object): string {
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 12);
}

/** Wraps the store's cursor with a tag of the filters, so it cannot be replayed on another query. */
export function wrapCursor(storeCursor: string, query: DeploymentQuery): string {
  const tag = filterTag({ functionName: query.functionName, alias: query.alias, status: query.status });
  return `${tag}.${storeCursor}`;
}

function unwrapCursor(cursor: string, filters: { functionName?: string; alias?: string; status?: string }): string | undefined {
  const dot = cursor.indexOf('.');
  if (dot < 0 || !/^[A-Za-z0-9_-]+$/.test(cursor.slice(dot + 1))) return undefined;
  return cursor.slice(0, dot) === filterTag(filters) ? cursor.slice(dot + 1) : undefined;
}
