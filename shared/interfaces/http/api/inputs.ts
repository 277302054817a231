import { checkAliasName } from '../../../domain/spec/names';
import { DEPLOYMENT_ID } from '../../../domain/starter/ids';
import { InvalidInputError, type InputLocation, type InputProblem } from '../errors';

/**
 * The limits of every field a request to the deployments API can carry: path parameters, query
 * parameters, headers and body fields. Each is checked before the value reaches a store key, an
 * AWS call or a message, so a value that can never work is a 400 naming the field and the limit
 * (never a DynamoDB validation error turned 500, never a "retry").
 */
export const LIMITS = {
  deploymentId: '1-80 characters: letters, digits, "-" or "_"',
  functionName: '1-64 characters: letters, digits, "-" or "_" (a function name, not an ARN)',
  alias: '1-128 characters: letters, digits, "-" or "_", not only digits',
  idempotencyKey: '1-255 printable ASCII characters, no spaces',
  status: 'one of the deployment statuses',
  since: 'an ISO 8601 time or epoch milliseconds, at most 40 characters',
  limit: 'a whole number from 1 to 100',
  cursor: 'at most 1024 characters, exactly as returned by the previous page',
} as const;

/** The longest cursor this API issues, with room to spare (a DynamoDB key of bounded parts plus a MAC). */
export const MAX_CURSOR_CHARS = 1024;

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * A value as it may be echoed in a message: at most `max` characters, JSON-quoted so control
 * characters show as escapes. Input is echoed only to help its sender, never in full.
 */
export function quote(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** The problem with a deployment id, if any. */
export function deploymentIdProblem(value: string, where: InputLocation, field = 'deploymentId'): InputProblem | undefined {
  return value.length <= 80 && DEPLOYMENT_ID.test(value) ? undefined : { in: where, field, message: `must be ${LIMITS.deploymentId}; got ${describe(value)}`, limit: LIMITS.deploymentId };
}

/** The problem with a Lambda function name, if any (Lambda's own rule; ARNs are not accepted here). */
export function functionNameProblem(value: string, where: InputLocation, field = 'function'): InputProblem | undefined {
  return value.length <= 64 && FUNCTION_NAME.test(value) ? undefined : { in: where, field, message: `must be ${LIMITS.functionName}; got ${describe(value)}`, limit: LIMITS.functionName };
}

/** The problem with an alias name, if any (the spec's rule: Lambda's, `$LATEST` and versions refused). */
export function aliasProblem(value: string, where: InputLocation, field = 'alias'): InputProblem | undefined {
  return value.length <= 128 && checkAliasName(value).ok ? undefined : { in: where, field, message: `must be ${LIMITS.alias}; got ${describe(value)}`, limit: LIMITS.alias };
}

/** Checks the `Idempotency-Key` header when present. */
export function checkIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > 255 || !IDEMPOTENCY_KEY.test(value)) {
    throw new InvalidInputError([{ in: 'header', field: 'Idempotency-Key', message: `must be ${LIMITS.idempotencyKey}; got ${describe(value)}`, limit: LIMITS.idempotencyKey }]);
  }
  return value;
}

/**
 * Free text a person typed (a stop reason, an approval comment): at most `max` characters, no
 * control characters but tab and line breaks, and well-formed Unicode (a lone surrogate cannot
 * be stored as UTF-8).
 */
export function textProblem(value: unknown, field: string, max: number): InputProblem | undefined {
  const limit = `a string of at most ${max} characters without control characters`;
  if (typeof value !== 'string') return { in: 'body', field, message: `must be ${limit}; got ${value === null ? 'null' : typeof value}`, limit };
  if (value.length > max) return { in: 'body', field, message: `must be ${limit}; got ${value.length} characters`, limit };
  if (hasControlOrBrokenUnicode(value)) return { in: 'body', field, message: `must be ${limit}; it holds a control character or broken Unicode`, limit };
  return undefined;
}

/** Lambda's published version numbers: 1 to 2^31-ish, written in decimal without a sign or leading zero. */
const VERSION_NUMBER = /^[1-9][0-9]{0,9}$/;

/**
 * The problem with a version number a caller names (`toVersion`), if any: a published version's
 * number, as a string or a whole number; `$LATEST` and aliases are not versions an alias can go back to.
 */
export function versionNumberProblem(value: unknown, field: string): InputProblem | undefined {
  const limit = 'a published version number: a whole number from 1, as a string or a number (not $LATEST, not an alias)';
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text === 'string' && VERSION_NUMBER.test(text)) return undefined;
  const got = typeof text === 'string' ? describe(text) : value === null ? 'null' : typeof value;
  return { in: 'body', field, message: `must be ${limit}; got ${got}`, limit };
}

/** Most unknown fields (or query parameters) named in one answer; the rest are counted. */
export const MAX_LISTED_UNKNOWN = 5;

/**
 * Refuses the fields of a JSON object body that are not `known`, naming at most
 * {@link MAX_LISTED_UNKNOWN} of them (cut and escaped) and counting the rest.
 */
export function refuseUnknownFields(body: object, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  const problems = unknown.slice(0, MAX_LISTED_UNKNOWN).map((key): InputProblem => ({ in: 'body', field: quote(key).slice(1, -1), message: `is not a field of this request; known: ${known.length > 0 ? known.join(', ') : 'none'}` }));
  refuseProblems(problems, unknown.length - problems.length);
}

/**
 * True when `value` holds a control character other than tab and line breaks, or a lone
 * surrogate (broken UTF-16 that cannot be written as UTF-8).
 */
export function hasControlOrBrokenUnicode(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\p{Cs}/u.test(value);
}

/** Throws one {@link InvalidInputError} for every problem found (and `omitted` more not listed), or returns. */
export function refuseProblems(problems: readonly (InputProblem | undefined)[], omitted = 0): void {
  const found = problems.filter((p): p is InputProblem => p !== undefined);
  if (found.length > 0) throw new InvalidInputError(found, { omitted });
}

/** How a refused value is shown: short ones quoted, long ones by their length only. */
function describe(value: string): string {
  return value.length > 40 ? `${value.length} characters` : value === '' ? 'an empty value' : quote(value);
}
