import type { IncomingMessage } from 'node:http';

/**
 * The SigV4 signing name of a request: from the Authorization header's credential scope
 * (`Credential=AKID/20260101/us-east-1/lambda/aws4_request`), or from a presigned URL's
 * `X-Amz-Credential` query parameter. Undefined for unsigned requests.
 */
export function signingNameOf(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization;
  const fromHeader = typeof authorization === 'string' ? /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization) : null;
  if (fromHeader?.[1]) return fromHeader[1];
  const url = new URL(request.url ?? '/', 'http://localhost');
  const credential = url.searchParams.get('X-Amz-Credential');
  const fromQuery = credential ? /^[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request$/.exec(credential) : null;
  return fromQuery?.[1];
}

/** Reads a whole request body. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
