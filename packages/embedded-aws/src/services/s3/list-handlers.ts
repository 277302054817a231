import { bucketTarget, sendXml, type S3Call, type S3Deps, type S3Handler } from './call';
import { s3Errors } from './errors';
import { encodeS3EventKey } from './event-records';
import { continuationToken, continuationTokenTarget, listPage, type ListingPage } from './listing';
import type { StoredObject } from './object-store';
import { xmlDocument } from './xml';

const MAX_KEYS = 1000;

/** `max-keys` as S3 reads it: 1000 when absent, at most 1000, `InvalidArgument` when not a whole number. */
function maxKeysOf(query: URLSearchParams): number {
  const value = query.get('max-keys');
  if (value === null) return MAX_KEYS;
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', value);
  }
  return Math.min(Number(value), MAX_KEYS);
}

/** How names go into the listing: as they are, or URL-encoded with `encoding-type=url`. */
function encoderOf(query: URLSearchParams): (name: string) => string {
  const encoding = query.get('encoding-type');
  if (encoding === null) return (name) => name;
  if (encoding !== 'url') throw s3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding);
  // The encoding S3 uses for keys in listings and event records: decode with unquote_plus / '+' as space.
  return encodeS3EventKey;
}

function contentsOf(page: ListingPage<StoredObject>, encode: (name: string) => string, owner: S3Deps['owner'] | undefined): Record<string, unknown>[] {
  return page.contents.map((object) => ({
    Key: encode(object.key),
    LastModified: new Date(object.lastModified).toISOString(),
    ETag: object.eTag,
    Size: object.size,
    ...(owner ? { Owner: owner } : {}),
    StorageClass: object.storageClass,
  }));
}

function listingOf(call: S3Call, deps: S3Deps, after: string | undefined): { page: ListingPage<StoredObject>; prefix: string; delimiter: string; maxKeys: number; encode: (name: string) => string } {
  const bucket = bucketTarget(call);
  if (!deps.store.bucket(bucket)) throw s3Errors.noSuchBucket(bucket);
  const prefix = call.query.get('prefix') ?? '';
  const delimiter = call.query.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(call.query);
  const encode = encoderOf(call.query);
  return { page: listPage(deps.store.sortedObjects(bucket), { prefix, delimiter, after, maxKeys }), prefix, delimiter, maxKeys, encode };
}

/**
 * ListObjectsV2: prefix, delimiter (common prefixes count towards `max-keys`), `start-after`,
 * `continuation-token` (opaque; `InvalidArgument` for one this S3 did not hand out), `fetch-owner`,
 * `encoding-type=url`.
 */
export const listObjectsV2: S3Handler = async (call, deps) => {
  const token = call.query.get('continuation-token');
  const startAfter = call.query.get('start-after') ?? undefined;
  let after = startAfter;
  if (token !== null) {
    after = continuationTokenTarget(token);
    if (after === undefined) throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  const { page, prefix, delimiter, maxKeys, encode } = listingOf(call, deps, after);
  sendXml(call.response, xmlDocument('ListBucketResult', {
    Name: call.bucket,
    Prefix: encode(prefix),
    Delimiter: delimiter === '' ? undefined : encode(delimiter),
    MaxKeys: maxKeys,
    EncodingType: call.query.get('encoding-type') ?? undefined,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.isTruncated && page.last !== undefined ? continuationToken(page.last) : undefined,
    StartAfter: startAfter === undefined ? undefined : encode(startAfter),
    Contents: contentsOf(page, encode, call.query.get('fetch-owner') === 'true' ? deps.owner : undefined),
    CommonPrefixes: page.commonPrefixes.map((commonPrefix) => ({ Prefix: encode(commonPrefix) })),
  }));
};

/** ListObjects (version 1): `marker`; `NextMarker` only with a delimiter, as on S3 (otherwise the last key is the marker). */
export const listObjects: S3Handler = async (call, deps) => {
  const marker = call.query.get('marker') ?? '';
  const { page, prefix, delimiter, maxKeys, encode } = listingOf(call, deps, marker === '' ? undefined : marker);
  sendXml(call.response, xmlDocument('ListBucketResult', {
    Name: call.bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    Delimiter: delimiter === '' ? undefined : encode(delimiter),
    MaxKeys: maxKeys,
    EncodingType: call.query.get('encoding-type') ?? undefined,
    IsTruncated: page.isTruncated,
    NextMarker: page.isTruncated && delimiter !== '' && page.last !== undefined ? encode(page.last) : undefined,
    Contents: contentsOf(page, encode, deps.owner),
    CommonPrefixes: page.commonPrefixes.map((commonPrefix) => ({ Prefix: encode(commonPrefix) })),
  }));
};
