import { bucketNameProblem } from './bucket-names';
import { bucketTarget, sendEmpty, sendXml, type S3Deps, type S3Handler } from './call';
import { checksumMismatch } from './checksums';
import { S3ApiError, s3Errors } from './errors';
import { notificationConfigurationXml, NotificationConfigurationError, parseNotificationConfiguration } from './notifications';
import type { StoredBucket } from './object-store';
import { parseRequestXml, textOf, xmlDocument } from './xml';

function existingBucket(deps: S3Deps, name: string): StoredBucket {
  const bucket = deps.store.bucket(name);
  if (!bucket) throw s3Errors.noSuchBucket(name);
  return bucket;
}

/** ListBuckets: every bucket, by name (no pagination: an account here has few). */
export const listBuckets: S3Handler = async (call, deps) => {
  const buckets = deps.store.listBuckets().map((bucket) => ({ Name: bucket.name, CreationDate: new Date(bucket.creationDate).toISOString(), BucketRegion: bucket.region }));
  sendXml(call.response, xmlDocument('ListAllMyBucketsResult', { Owner: deps.owner, Buckets: buckets.length === 0 ? '' : { Bucket: buckets } }));
};

/** The region a CreateBucketConfiguration asks for, or the embedded AWS's own without one. */
function requestedRegion(body: Buffer, defaultRegion: string): string {
  if (body.toString('utf8').trim() === '') return defaultRegion;
  const configuration = parseRequestXml(body, 'CreateBucketConfiguration', []);
  const constraint = textOf(configuration, 'LocationConstraint')?.trim();
  if (constraint === undefined || constraint === '') return defaultRegion;
  // us-east-1 is the absence of a constraint; naming it is refused, as on S3. "EU" is eu-west-1's old name.
  if (constraint === 'us-east-1' || !/^([a-z]{2}(-[a-z]+)+-\d+|EU)$/.test(constraint)) {
    throw new S3ApiError(400, 'InvalidLocationConstraint', `The specified location-constraint is not valid: ${constraint}`, { LocationConstraint: constraint });
  }
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/**
 * CreateBucket. Creating a bucket one already owns is a no-op answering 200 in us-east-1 and
 * `BucketAlreadyOwnedByYou` (409) in every other region, as on S3.
 */
export const createBucket: S3Handler = async (call, deps) => {
  const name = bucketTarget(call);
  const problem = bucketNameProblem(name);
  if (problem) throw s3Errors.invalidBucketName(name, problem);
  const region = requestedRegion(call.body, deps.context.region);
  const created = await deps.store.createBucket({ name, region, creationDate: deps.context.clock.now() });
  if (!created && deps.context.region !== 'us-east-1') throw s3Errors.bucketAlreadyOwnedByYou(name);
  sendEmpty(call.response, 200, { location: `/${name}` });
};

/** HeadBucket: 200 with the bucket's region, 404 (no body) when there is no such bucket. */
export const headBucket: S3Handler = async (call, deps) => {
  const bucket = existingBucket(deps, bucketTarget(call));
  sendEmpty(call.response, 200, { 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' });
};

/** DeleteBucket: only an empty bucket; its notification configuration goes with it. */
export const deleteBucket: S3Handler = async (call, deps) => {
  const name = bucketTarget(call);
  await deps.store.deleteBucket(name);
  await deps.notifications.delete(name);
  sendEmpty(call.response, 204);
};

/** GetBucketLocation: empty for us-east-1, as on S3. */
export const getBucketLocation: S3Handler = async (call, deps) => {
  const bucket = existingBucket(deps, bucketTarget(call));
  sendXml(call.response, xmlDocument('LocationConstraint', bucket.region === 'us-east-1' ? '' : bucket.region));
};

/** GetBucketVersioning: every bucket here is one that was never versioned (no `Status`). */
export const getBucketVersioning: S3Handler = async (call, deps) => {
  existingBucket(deps, bucketTarget(call));
  sendXml(call.response, xmlDocument('VersioningConfiguration', {}));
};

/** PutBucketVersioning: refused, the embedded S3 keeps one version per key. */
export const putBucketVersioning: S3Handler = async (call, deps) => {
  existingBucket(deps, bucketTarget(call));
  throw new S3ApiError(501, 'NotImplemented', 'The embedded S3 does not support object versioning: it keeps one version per key (see docs/local.md)');
};

/** GetBucketNotificationConfiguration. */
export const getBucketNotificationConfiguration: S3Handler = async (call, deps) => {
  const name = bucketTarget(call);
  existingBucket(deps, name);
  sendXml(call.response, notificationConfigurationXml(deps.notifications.get(name)));
};

/** PutBucketNotificationConfiguration, validated as S3 validates it. */
export const putBucketNotificationConfiguration: S3Handler = async (call, deps) => {
  const name = bucketTarget(call);
  existingBucket(deps, name);
  try {
    await deps.notifications.put(name, parseNotificationConfiguration(call.body.toString('utf8')));
  } catch (error) {
    if (error instanceof NotificationConfigurationError) throw new S3ApiError(400, error.code, error.message);
    throw error;
  }
  sendEmpty(call.response, 200);
};

const MAX_KEYS_PER_DELETE = 1000;
const INTEGRITY_HEADERS = ['content-md5', 'x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme', 'x-amz-checksum-sha1', 'x-amz-checksum-sha256'];

/**
 * DeleteObjects: up to 1000 keys, each reported `Deleted` whether or not it existed (only errors
 * with `Quiet`), one `ObjectRemoved:Delete` event per object that was there. The body must carry
 * a `Content-MD5` or `x-amz-checksum-*` that matches, as on S3.
 */
export const deleteObjects: S3Handler = async (call, deps) => {
  const bucket = bucketTarget(call);
  existingBucket(deps, bucket);
  if (!INTEGRITY_HEADERS.some((name) => call.headers[name] !== undefined)) {
    throw s3Errors.invalidRequest('Missing required header for this request: Content-MD5 or x-amz-checksum-*');
  }
  const mismatch = checksumMismatch(call.body, call.headers);
  if (mismatch) throw new S3ApiError(mismatch.status, mismatch.code, mismatch.message);
  const request = parseRequestXml(call.body, 'Delete', ['Object']);
  const objects = (request.Object as Record<string, unknown>[] | undefined) ?? [];
  if (objects.length === 0 || objects.length > MAX_KEYS_PER_DELETE) throw s3Errors.malformedXml(`a Delete names 1 to ${MAX_KEYS_PER_DELETE} objects, this one ${objects.length}`);
  const quiet = textOf(request, 'Quiet')?.trim() === 'true';
  const deleted: Record<string, string>[] = [];
  const errors: Record<string, string>[] = [];
  for (const entry of objects) {
    const key = textOf(entry, 'Key');
    if (key === undefined) throw s3Errors.malformedXml('every Object needs a Key');
    const versionId = textOf(entry, 'VersionId');
    if (versionId !== undefined && versionId !== 'null') {
      errors.push({ Key: key, VersionId: versionId, Code: 'NoSuchVersion', Message: 'The specified version does not exist.' });
      continue;
    }
    const removed = await deps.store.remove(bucket, key);
    if (removed) deps.emit({ eventName: 'ObjectRemoved:Delete', bucket, key });
    if (!quiet) deleted.push(versionId === undefined ? { Key: key } : { Key: key, VersionId: versionId });
  }
  sendXml(call.response, xmlDocument('DeleteResult', { Deleted: deleted, Error: errors }));
};

