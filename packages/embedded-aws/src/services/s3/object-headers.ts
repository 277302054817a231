import type { IncomingHttpHeaders } from 'node:http';
import { s3Errors } from './errors';
import type { StoredObject } from './object-store';

// Headers S3 stores with an object and returns on GetObject and HeadObject.
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires', 'x-amz-website-redirect-location'] as const;

const STORAGE_CLASSES = new Set(['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'OUTPOSTS', 'GLACIER_IR', 'SNOW', 'EXPRESS_ONEZONE']);

const MAX_KEY_BYTES = 1024;
const MAX_USER_METADATA_BYTES = 2048;

/** Refuses a key S3 would refuse for a new object (`KeyTooLongError` beyond 1024 bytes of UTF-8). */
export function checkNewKey(key: string): void {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) throw s3Errors.keyTooLong(bytes);
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * What an upload's headers say about the object (PutObject, CreateMultipartUpload, CopyObject with
 * `REPLACE`): content type (`binary/octet-stream` when none, as S3), the other stored headers, user
 * metadata (`x-amz-meta-*`, at most 2 KB as on S3) and storage class.
 */
export function objectSettingsFrom(headers: IncomingHttpHeaders): Pick<StoredObject, 'contentType' | 'headers' | 'metadata' | 'storageClass'> {
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = single(headers, name);
    if (value !== undefined) stored[name] = value;
  }
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const short = name.slice('x-amz-meta-'.length);
    metadata[short] = Array.isArray(value) ? value.join(',') : value;
    metadataBytes += Buffer.byteLength(short) + Buffer.byteLength(metadata[short]);
  }
  if (metadataBytes > MAX_USER_METADATA_BYTES) throw s3Errors.metadataTooLarge(metadataBytes);
  const storageClass = single(headers, 'x-amz-storage-class') ?? 'STANDARD';
  if (!STORAGE_CLASSES.has(storageClass)) throw s3Errors.invalidStorageClass(storageClass);
  return { contentType: single(headers, 'content-type') ?? 'binary/octet-stream', headers: stored, metadata, storageClass };
}

/** The headers GetObject and HeadObject answer with for an object. */
export function objectResponseHeaders(object: StoredObject): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': object.contentType,
    etag: object.eTag,
    'last-modified': new Date(object.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    ...object.headers,
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (object.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = object.storageClass;
  return headers;
}

// GetObject's query parameters that override a response header (for presigned downloads).
const RESPONSE_OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'content-type', 'response-content-language': 'content-language', 'response-expires': 'expires',
  'response-cache-control': 'cache-control', 'response-content-disposition': 'content-disposition', 'response-content-encoding': 'content-encoding',
};

/** Applies GetObject's `response-*` query parameters to its response headers. */
export function withResponseOverrides(headers: Record<string, string | number>, query: URLSearchParams): Record<string, string | number> {
  const result = { ...headers };
  for (const [parameter, name] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = query.get(parameter);
    if (value !== null) result[name] = value;
  }
  return result;
}

function unquoted(eTag: string): string {
  return eTag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

function eTagMatches(list: string, object: StoredObject): boolean {
  return list.split(',').some((candidate) => candidate.trim() === '*' || unquoted(candidate) === unquoted(object.eTag));
}

function seconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}

function dateOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : seconds(parsed);
}

/** The conditional headers of a read, by what they are called on GetObject (or CopyObject's source). */
export interface ReadConditions {
  readonly ifMatch?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: string | undefined;
  readonly ifUnmodifiedSince?: string | undefined;
}

/**
 * Evaluates a read's conditions against the object as S3 does (RFC 7232 order: `If-Match` before
 * `If-Unmodified-Since`, `If-None-Match` before `If-Modified-Since`): `'fresh'` to serve it,
 * `'not-modified'` for a 304, or a thrown `PreconditionFailed` (412) naming the condition.
 */
export function evaluateReadConditions(conditions: ReadConditions, object: StoredObject, names: Readonly<Record<keyof ReadConditions, string>>): 'fresh' | 'not-modified' {
  const modified = seconds(object.lastModified);
  if (conditions.ifMatch !== undefined) {
    if (!eTagMatches(conditions.ifMatch, object)) throw s3Errors.preconditionFailed(names.ifMatch);
  } else {
    const since = dateOf(conditions.ifUnmodifiedSince);
    if (since !== undefined && modified > since) throw s3Errors.preconditionFailed(names.ifUnmodifiedSince);
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (eTagMatches(conditions.ifNoneMatch, object)) return 'not-modified';
  } else {
    const since = dateOf(conditions.ifModifiedSince);
    if (since !== undefined && modified <= since) return 'not-modified';
  }
  return 'fresh';
}

/**
 * The byte range a `Range` header asks for, as S3 reads it: one `bytes=first-last`, `bytes=first-`
 * or `bytes=-suffix` range; undefined (the whole object) for anything else, as S3 ignores it; an
 * `InvalidRange` (416) when the range starts past the end.
 */
export function byteRange(range: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const first = match[1] === '' ? undefined : Number(match[1]);
  const last = match[2] === '' ? undefined : Number(match[2]);
  if (first === undefined) {
    const suffix = last as number;
    if (suffix === 0 || size === 0) throw s3Errors.invalidRange(range as string, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  if (last !== undefined && last < first) return undefined;
  if (first >= size) throw s3Errors.invalidRange(range as string, size);
  return { start: first, end: Math.min(last ?? size - 1, size - 1) };
}
