import { LocalAwsError } from '../../errors';
import type { AwsErrorShape } from '../../protocol/errors';

/**
 * `S3Internal.getObject` found nothing: `code` is the S3 error code a client would have seen
 * (`NoSuchBucket`, `NoSuchKey`, `NoSuchVersion`), so a caller such as Lambda's CreateFunction can
 * report it the way AWS does.
 */
export class S3ObjectNotFoundError extends LocalAwsError {
  override readonly name = 'S3ObjectNotFoundError';

  constructor(readonly code: 'NoSuchBucket' | 'NoSuchKey' | 'NoSuchVersion', readonly bucket: string, readonly key: string, options?: { cause?: unknown }) {
    super(`S3: ${code}: s3://${bucket}/${key}`, options);
  }
}

/**
 * A request the embedded S3 refuses: carries the S3 error it answers with, so the service renders
 * it as S3 does (`<Error><Code>…</Code>` plus detail elements such as `Key` or `BucketName`).
 */
export class S3ApiError extends LocalAwsError {
  override readonly name = 'S3ApiError';

  constructor(readonly status: number, readonly code: string, message: string, readonly details: Readonly<Record<string, string>> = {}) {
    super(message);
  }

  /** What `sendRestXmlError` writes. */
  get wire(): AwsErrorShape & { readonly details: Readonly<Record<string, string>> } {
    return { status: this.status, code: this.code, message: this.message, details: this.details };
  }
}

/** The embedded S3's saved objects could not be read or written (a file under its data directory). */
export class S3StoreError extends LocalAwsError {
  override readonly name = 'S3StoreError';
}

/** The S3 errors the embedded S3 answers with, worded and numbered as S3 words and numbers them. */
export const s3Errors = {
  noSuchBucket: (bucket: string) => new S3ApiError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket }),
  noSuchKey: (key: string) => new S3ApiError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }),
  noSuchVersion: (key: string, versionId: string) => new S3ApiError(404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId }),
  noSuchUpload: (uploadId: string) => new S3ApiError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId }),
  bucketNotEmpty: (bucket: string) => new S3ApiError(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: bucket }),
  bucketAlreadyOwnedByYou: (bucket: string) => new S3ApiError(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: bucket }),
  invalidBucketName: (bucket: string, why: string) => new S3ApiError(400, 'InvalidBucketName', `The specified bucket is not valid: ${why}`, { BucketName: bucket }),
  invalidArgument: (message: string, name: string, value: string) => new S3ApiError(400, 'InvalidArgument', message, { ArgumentName: name, ArgumentValue: value }),
  invalidRequest: (message: string) => new S3ApiError(400, 'InvalidRequest', message),
  malformedXml: (why?: string) => new S3ApiError(400, 'MalformedXML', `The XML you provided was not well-formed or did not validate against our published schema${why ? `: ${why}` : ''}`),
  keyTooLong: (bytes: number) => new S3ApiError(400, 'KeyTooLongError', `Your key is too long: ${bytes} bytes, the limit is 1024 bytes of UTF-8.`, { Size: String(bytes), MaxSizeAllowed: '1024' }),
  metadataTooLarge: (bytes: number) => new S3ApiError(400, 'MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size: ${bytes} bytes, the limit is 2048.`, { Size: String(bytes), MaxSizeAllowed: '2048' }),
  invalidStorageClass: (value: string) => new S3ApiError(400, 'InvalidStorageClass', `The storage class you specified is not valid: ${value}`, { StorageClassRequested: value }),
  invalidRange: (range: string, size: number) => new S3ApiError(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: range, ActualObjectSize: String(size) }),
  preconditionFailed: (condition: string) => new S3ApiError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: condition }),
  notImplemented: (what: string) => new S3ApiError(501, 'NotImplemented', `The embedded S3 does not implement ${what} (see docs/local.md)`),
} as const;
