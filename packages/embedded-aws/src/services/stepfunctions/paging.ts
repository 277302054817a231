import { invalidToken, validationError } from './errors';

/** Offset pagination behind an opaque token bound to the operation that issued it. */
export function paginate<T>(items: readonly T[], body: Readonly<Record<string, unknown>>, operation: string): { page: T[]; nextToken?: string } {
  const maxResults = body.maxResults === undefined || body.maxResults === 0 ? 100 : body.maxResults;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw validationError(`1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000`);
  }
  let offset = 0;
  if (body.nextToken !== undefined) {
    const decoded = typeof body.nextToken === 'string' ? decodeToken(body.nextToken) : undefined;
    if (!decoded || decoded.operation !== operation) throw invalidToken(`Invalid Token: '${String(body.nextToken)}' is not a nextToken of ${operation}`);
    offset = decoded.offset;
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextToken: Buffer.from(JSON.stringify({ operation, offset: next })).toString('base64url') } : { page };
}

function decodeToken(token: string): { operation: string; offset: number } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { operation?: unknown; offset?: unknown };
    return typeof parsed.operation === 'string' && typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0 ? { operation: parsed.operation, offset: parsed.offset } : undefined;
  } catch {
    return undefined;
  }
}

