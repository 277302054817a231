import { createHash, randomBytes } from 'node:crypto';
import { objectTarget, sendEmpty, sendXml, type S3Handler } from './call';
import { S3ApiError, s3Errors } from './errors';
import { checkNewKey, objectSettingsFrom } from './object-headers';
import { md5ETag, type StoredObject, type StoredPart } from './object-store';
import { uploadBody } from './upload-body';
import { parseRequestXml, textOf, xmlDocument } from './xml';

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

/** CreateMultipartUpload: the object's settings are taken now, from this request's headers. */
export const createMultipartUpload: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  checkNewKey(key);
  const uploadId = randomBytes(24).toString('base64url');
  await deps.store.createUpload(bucket, { uploadId, initiated: deps.context.clock.now(), object: { key, ...objectSettingsFrom(call.headers) } });
  sendXml(call.response, xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId }));
};

function uploadIdOf(query: URLSearchParams): string {
  return query.get('uploadId') ?? '';
}

/** UploadPart: part numbers 1 to 10000, the body's checksums verified as for PutObject. */
export const uploadPart: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  const text = call.query.get('partNumber') ?? '';
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw s3Errors.invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 'partNumber', text);
  }
  if (!deps.store.bucket(bucket)) throw s3Errors.noSuchBucket(bucket);
  const upload = uploadBody(call.body, call.headers);
  const part: StoredPart = { partNumber, size: upload.body.length, eTag: md5ETag(upload.body), lastModified: deps.context.clock.now() };
  await deps.store.putPart(bucket, uploadIdOf(call.query), key, part, upload.body);
  sendEmpty(call.response, 200, { etag: part.eTag });
};

function unquoted(eTag: string): string {
  return eTag.trim().replace(/^"|"$/g, '');
}

/**
 * CompleteMultipartUpload, checked as S3 checks it: parts listed in ascending order
 * (`InvalidPartOrder`), each uploaded with the ETag given (`InvalidPart`), each but the last at
 * least 5 MiB (`EntityTooSmall`). The ETag is the MD5 of the parts' MD5s, `-<number of parts>`.
 */
export const completeMultipartUpload: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  if (!deps.store.bucket(bucket)) throw s3Errors.noSuchBucket(bucket);
  const uploadId = uploadIdOf(call.query);
  const request = parseRequestXml(call.body, 'CompleteMultipartUpload', ['Part']);
  const listed = ((request.Part as Record<string, unknown>[] | undefined) ?? []).map((part) => ({ partNumber: Number(textOf(part, 'PartNumber')), eTag: textOf(part, 'ETag') ?? '' }));
  if (listed.length === 0) throw s3Errors.malformedXml('a CompleteMultipartUpload lists at least one Part');
  const object = await deps.store.completeUpload(bucket, uploadId, key, (upload, parts) => {
    for (const [index, { partNumber }] of listed.entries()) {
      if (!Number.isInteger(partNumber) || (index > 0 && !(partNumber > (listed[index - 1]?.partNumber ?? 0)))) {
        throw new S3ApiError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', { UploadId: uploadId });
      }
    }
    const chosen = listed.map(({ partNumber, eTag }) => {
      const part = parts.get(partNumber);
      if (!part || unquoted(part.eTag) !== unquoted(eTag)) {
        throw new S3ApiError(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', { UploadId: uploadId, PartNumber: String(partNumber), ETag: eTag });
      }
      return part;
    });
    const small = chosen.slice(0, -1).find((part) => part.size < MIN_PART_BYTES);
    if (small) {
      throw new S3ApiError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { ProposedSize: String(small.size), MinSizeAllowed: String(MIN_PART_BYTES), PartNumber: String(small.partNumber), ETag: small.eTag });
    }
    const digest = createHash('md5');
    for (const part of chosen) digest.update(Buffer.from(unquoted(part.eTag), 'hex'));
    const completed: StoredObject = {
      ...upload.object,
      size: chosen.reduce((total, part) => total + part.size, 0),
      eTag: `"${digest.digest('hex')}-${chosen.length}"`,
      lastModified: deps.context.clock.now(),
    };
    return { object: completed, parts: chosen.map((part) => part.partNumber) };
  });
  deps.emit({ eventName: 'ObjectCreated:CompleteMultipartUpload', bucket, key, size: object.size, eTag: object.eTag.replace(/"/g, '') });
  const location = `${deps.context.endpoint()}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  sendXml(call.response, xmlDocument('CompleteMultipartUploadResult', { Location: location, Bucket: bucket, Key: key, ETag: object.eTag }));
};

/** AbortMultipartUpload: 204, `NoSuchUpload` for an upload that is not in progress. */
export const abortMultipartUpload: S3Handler = async (call, deps) => {
  const { bucket, key } = objectTarget(call);
  if (!deps.store.bucket(bucket)) throw s3Errors.noSuchBucket(bucket);
  await deps.store.abortUpload(bucket, uploadIdOf(call.query), key);
  sendEmpty(call.response, 204);
};

