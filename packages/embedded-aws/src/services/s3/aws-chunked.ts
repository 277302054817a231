import type { IncomingHttpHeaders } from 'node:http';
import { LocalAwsError } from '../../errors';

/** An `aws-chunked` upload body could not be decoded. */
export class AwsChunkedError extends LocalAwsError {
  override readonly name = 'AwsChunkedError';
}

/** Whether a request body uses the `aws-chunked` framing of SigV4 streaming uploads. */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return encoding.split(',').some((part) => part.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/**
 * Strips the `aws-chunked` framing (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n`)
 * that the SDK v3 uses for uploads with flexible checksums, and returns the plain body and the
 * headers an ordinary upload of it would have had (trailing checksums become headers).
 */
export function decodeAwsChunked(body: Buffer, headers: IncomingHttpHeaders): { body: Buffer; headers: IncomingHttpHeaders } {
  const chunks: Buffer[] = [];
  const trailers: Record<string, string> = {};
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new AwsChunkedError(`aws-chunked body: missing chunk header at byte ${offset}`);
    const sizeText = body.subarray(offset, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '';
    const size = Number.parseInt(sizeText, 16);
    if (!/^[0-9a-fA-F]+$/.test(sizeText) || !Number.isSafeInteger(size)) throw new AwsChunkedError(`aws-chunked body: bad chunk size '${sizeText}' at byte ${offset}`);
    offset = lineEnd + 2;
    if (size === 0) break;
    if (offset + size > body.length) throw new AwsChunkedError(`aws-chunked body: chunk of ${size} bytes at byte ${offset} runs past the end (${body.length} bytes)`);
    chunks.push(body.subarray(offset, offset + size));
    offset += size + 2; // the chunk's trailing CRLF
  }
  for (const line of body.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const decoded = Buffer.concat(chunks);
  const declared = headers['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== decoded.length) {
    throw new AwsChunkedError(`aws-chunked body: decoded ${decoded.length} bytes but x-amz-decoded-content-length says ${String(declared)}`);
  }
  const plain: IncomingHttpHeaders = { ...headers };
  const encoding = String(headers['content-encoding'] ?? '').split(',').map((part) => part.trim()).filter((part) => part && part !== 'aws-chunked');
  if (encoding.length > 0) plain['content-encoding'] = encoding.join(', ');
  else delete plain['content-encoding'];
  for (const name of ['x-amz-decoded-content-length', 'x-amz-trailer', 'transfer-encoding']) delete plain[name];
  for (const [name, value] of Object.entries(trailers)) if (name.startsWith('x-amz-checksum-')) plain[name] = value;
  plain['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  plain['content-length'] = String(decoded.length);
  return { body: decoded, headers: plain };
}
