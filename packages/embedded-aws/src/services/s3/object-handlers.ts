import { header, objectTarget, sendBytes, sendEmpty, sendXml, type S3Deps, type S3Handler } from './call';
import { s3Errors } from './errors';
import { byteRange, checkNewKey, evaluateReadConditions, objectResponseHeaders, objectSettingsFrom, withResponseOverrides } from './object-headers';
import { md5ETag, type StoredObject } from './object-store';
import { uploadBody } from './upload-body';
import { xmlDocument } from './xml';

function requireBucket(deps: S3Deps, bucket: string): void {
  if (!deps.store.bucket(bucket)) throw s3Errors.noSuchBucket(bucket);
}

/** PutObject, with `If-None-Match: *` and `If-Match` conditional writes. */
export const putObject: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  requireBucket(deps, bucket);
  checkNewKey(key);
  const upload = uploadBody(call.body, call.headers);
  const object: StoredObject = {
    key,
    size: upload.body.length,
    eTag: md5ETag(upload.body),
    lastModified: deps.context.clock.now(),
    ...objectSettingsFrom(upload.headers),
  };
  const ifNoneMatch = header(call, 'if-none-match');
  const ifMatch = header(call, 'if-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw s3Errors.notImplemented(`If-None-Match other than '*' on PutObject`);
  await deps.store.put(bucket, object, upload.body, (existing) => {
    if (ifNoneMatch !== undefined && existing) throw s3Errors.preconditionFailed('If-None-Match');
    if (ifMatch !== undefined) {
      if (!existing) throw s3Errors.noSuchKey(key);
      evaluateReadConditions({ ifMatch }, existing, { ifMatch: 'If-Match', ifNoneMatch: '', ifModifiedSince: '', ifUnmodifiedSince: '' });
    }
  });
  deps.emit({ eventName: 'ObjectCreated:Put', bucket, key, size: object.size, eTag: object.eTag.replace(/"/g, '') });
  sendEmpty(call.response, 200, { etag: object.eTag });
};

const readConditionNames = { ifMatch: 'If-Match', ifNoneMatch: 'If-None-Match', ifModifiedSince: 'If-Modified-Since', ifUnmodifiedSince: 'If-Unmodified-Since' } as const;

/**
 * GetObject and HeadObject: conditions, one byte range, `response-*` overrides. HeadObject answers
 * the same status and headers; Node sends no body in answer to HEAD.
 */
const readObject: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  requireBucket(deps, bucket);
  const found = await deps.store.read(bucket, key);
  if (!found) throw s3Errors.noSuchKey(key);
  const { object, body } = found;
  const conditions = { ifMatch: header(call, 'if-match'), ifNoneMatch: header(call, 'if-none-match'), ifModifiedSince: header(call, 'if-modified-since'), ifUnmodifiedSince: header(call, 'if-unmodified-since') };
  const headers = withResponseOverrides(objectResponseHeaders(object), call.query);
  if (evaluateReadConditions(conditions, object, readConditionNames) === 'not-modified') {
    return sendEmpty(call.response, 304, { etag: object.eTag, 'last-modified': new Date(object.lastModified).toUTCString() });
  }
  const range = byteRange(header(call, 'range'), object.size);
  if (!range) return sendBytes(call.response, 200, body, headers);
  sendBytes(call.response, 206, body.subarray(range.start, range.end + 1), { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${object.size}` });
};

/** GetObject. */
export const getObject: S3Handler = readObject;

/** HeadObject. */
export const headObject: S3Handler = readObject;

/** DeleteObject: 204 whether or not the key existed, as on S3; an event only for an object that was there. */
export const deleteObject: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  requireBucket(deps, bucket);
  const removed = await deps.store.remove(bucket, key);
  if (removed) deps.emit({ eventName: 'ObjectRemoved:Delete', bucket, key });
  sendEmpty(call.response, 204);
};

/** The bucket, key and version of `x-amz-copy-source` (`[/]bucket/key[?versionId=…]`, URL-encoded). */
function copySource(value: string | undefined): { bucket: string; key: string; versionId: string | undefined } {
  const [path = '', query = ''] = (value ?? '').split(/\?(.*)/s);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, '');
  } catch {
    throw s3Errors.invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', value ?? '');
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw s3Errors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', value ?? '');
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId: new URLSearchParams(query).get('versionId') ?? undefined };
}

/** CopyObject: `COPY` or `REPLACE` metadata, the `x-amz-copy-source-if-*` conditions, an `ObjectCreated:Copy` event. */
export const copyObject: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  requireBucket(deps, bucket);
  checkNewKey(key);
  const source = copySource(header(call, 'x-amz-copy-source'));
  if (!deps.store.bucket(source.bucket)) throw s3Errors.noSuchBucket(source.bucket);
  if (source.versionId !== undefined && source.versionId !== 'null') throw s3Errors.noSuchVersion(source.key, source.versionId);
  const found = await deps.store.read(source.bucket, source.key);
  if (!found) throw s3Errors.noSuchKey(source.key);
  const conditions = {
    ifMatch: header(call, 'x-amz-copy-source-if-match'), ifNoneMatch: header(call, 'x-amz-copy-source-if-none-match'),
    ifModifiedSince: header(call, 'x-amz-copy-source-if-modified-since'), ifUnmodifiedSince: header(call, 'x-amz-copy-source-if-unmodified-since'),
  };
  const names = { ifMatch: 'x-amz-copy-source-If-Match', ifNoneMatch: 'x-amz-copy-source-If-None-Match', ifModifiedSince: 'x-amz-copy-source-If-Modified-Since', ifUnmodifiedSince: 'x-amz-copy-source-If-Unmodified-Since' };
  // A copy has no 304: a source that "was not modified" fails the condition.
  if (evaluateReadConditions(conditions, found.object, names) === 'not-modified') {
    throw s3Errors.preconditionFailed(conditions.ifNoneMatch !== undefined ? names.ifNoneMatch : names.ifModifiedSince);
  }
  const directive = (header(call, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw s3Errors.invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  const requested = objectSettingsFrom(call.headers);
  const settings = directive === 'REPLACE' ? requested : { ...found.object, storageClass: requested.storageClass };
  if (source.bucket === bucket && source.key === key && directive === 'COPY' && settings.storageClass === found.object.storageClass && call.headers['x-amz-website-redirect-location'] === undefined) {
    throw s3Errors.invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const object: StoredObject = {
    key,
    size: found.body.length,
    eTag: md5ETag(found.body),
    lastModified: deps.context.clock.now(),
    contentType: settings.contentType,
    headers: settings.headers,
    metadata: settings.metadata,
    storageClass: settings.storageClass,
  };
  await deps.store.put(bucket, object, found.body);
  deps.emit({ eventName: 'ObjectCreated:Copy', bucket, key, size: object.size, eTag: object.eTag.replace(/"/g, '') });
  sendXml(call.response, xmlDocument('CopyObjectResult', { ETag: object.eTag, LastModified: new Date(object.lastModified).toISOString() }));
};

