import type { IncomingHttpHeaders } from 'node:http';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked';
import { checksumMismatch } from './checksums';
import { S3ApiError } from './errors';

/**
 * The body of an upload (PutObject, UploadPart) as the client meant it, with the headers an
 * ordinary upload of it would have had: `aws-chunked` framing removed (trailing checksums become
 * headers), and the body checked against its `Content-MD5` and `x-amz-checksum-*` values, as S3
 * does. Throws the S3 error to answer (`IncompleteBody`, `BadDigest`, `InvalidDigest`) when the
 * body is bad.
 */
export function uploadBody(body: Buffer, headers: IncomingHttpHeaders): { body: Buffer; headers: IncomingHttpHeaders } {
  let decoded = { body, headers };
  if (isAwsChunked(headers)) {
    try {
      decoded = decodeAwsChunked(body, headers);
    } catch (error) {
      throw new S3ApiError(400, 'IncompleteBody', (error as Error).message);
    }
  }
  const mismatch = checksumMismatch(decoded.body, decoded.headers);
  if (mismatch) throw new S3ApiError(mismatch.status, mismatch.code, mismatch.message);
  return decoded;
}
