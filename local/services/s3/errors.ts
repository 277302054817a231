import { LocalAwsError } from '../../errors';

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
