import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

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

/**
 * A fresh request carrying `body` again, for handing a request whose body the edge has already
 * read to an emulator that reads the stream itself (dynalite). Metadata comes from the
 * original (the socket too, for the client's address); `url` and `headers` can be replaced.
 */
export function replayRequest(original: IncomingMessage, body: Buffer, changes: { url?: string; headers?: IncomingHttpHeaders } = {}): IncomingMessage {
  let sent = false;
  const replay = new Readable({
    read() {
      if (!sent && body.length > 0) this.push(body);
      sent = true;
      this.push(null);
    },
  });
  const headers = changes.headers ?? { ...original.headers };
  return Object.assign(replay, {
    method: original.method,
    url: changes.url ?? original.url,
    headers,
    rawHeaders: changes.headers ? Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [value].flat().flatMap((one) => [name, String(one)]))) : original.rawHeaders,
    trailers: {},
    rawTrailers: [],
    httpVersion: original.httpVersion,
    httpVersionMajor: original.httpVersionMajor,
    httpVersionMinor: original.httpVersionMinor,
    complete: true,
    aborted: false,
    socket: original.socket,
    connection: original.socket,
  }) as unknown as IncomingMessage;
}
