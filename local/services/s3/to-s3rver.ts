import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { replayRequest } from '../../edge';
import type { AwsErrorShape } from '../../protocol/errors';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked';
import { checksumMismatch } from './checksums';

// Query parameters of presigned URLs: the edge already routed by them; s3rver cannot check SigV4.
const presignParameters = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token'];

/** An S3 request, parsed by the edge, on its way to s3rver. */
export interface S3Request {
  readonly original: IncomingMessage;
  readonly body: Buffer;
  /** Path-style path (`/bucket/key`), raw as sent (still percent-encoded). */
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly operation: string;
  /** The bucket when the request was virtual-hosted (`bucket.localhost`). */
  readonly virtualBucket: string | undefined;
}

/**
 * Turns an SDK request into one s3rver handles as S3 would: path style, no SigV4 (s3rver knows
 * only its own key and does not check v4 signatures anyway), `aws-chunked` framing removed, and
 * upload checksums verified. Returns the error to answer instead when the body is bad.
 */
export function toS3rverRequest(request: S3Request): { replay: IncomingMessage; body: Buffer } | { error: AwsErrorShape } {
  const { original, virtualBucket } = request;
  let headers: IncomingHttpHeaders = { ...original.headers, host: virtualBucket === undefined ? original.headers.host : original.headers.host?.slice(virtualBucket.length + 1) };
  delete headers.authorization;
  const query = new URLSearchParams(request.query);
  for (const name of presignParameters) query.delete(name);
  let body = request.body;
  if (isAwsChunked(headers)) {
    try {
      ({ body, headers } = decodeAwsChunked(body, headers));
    } catch (error) {
      return { error: { status: 400, code: 'IncompleteBody', message: (error as Error).message } };
    }
  }
  if (request.operation === 'PutObject' || request.operation === 'UploadPart') {
    const mismatch = checksumMismatch(body, headers);
    if (mismatch) return { error: mismatch };
  }
  // URLSearchParams writes `?notification` as `notification=`; sub-resources go back bare.
  const search = query.toString().replace(/=(?=&|$)/g, '');
  return { replay: replayRequest(original, body, { url: `${request.pathname}${search ? `?${search}` : ''}`, headers }), body };
}
