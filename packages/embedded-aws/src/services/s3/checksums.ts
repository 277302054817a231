import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import type { AwsErrorShape } from '../../protocol/errors';

// CRC32C and CRC64NVME have no implementation in Node.js: those are accepted unverified.
const algorithms: readonly { header: string; name: string; digest: (body: Buffer) => string }[] = [
  { header: 'x-amz-checksum-crc32', name: 'CRC32', digest: (body) => { const value = Buffer.alloc(4); value.writeUInt32BE(crc32(body)); return value.toString('base64'); } },
  { header: 'x-amz-checksum-sha1', name: 'SHA1', digest: (body) => createHash('sha1').update(body).digest('base64') },
  { header: 'x-amz-checksum-sha256', name: 'SHA256', digest: (body) => createHash('sha256').update(body).digest('base64') },
];

/**
 * Checks an upload's body against the `Content-MD5` and `x-amz-checksum-*` values it came with
 * (headers, or trailers of an aws-chunked body), as S3 does: the error to answer with when one
 * does not match, undefined when all that can be checked match.
 */
export function checksumMismatch(body: Buffer, headers: IncomingHttpHeaders): AwsErrorShape | undefined {
  const md5 = headers['content-md5'];
  if (typeof md5 === 'string') {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5.trim())) return { status: 400, code: 'InvalidDigest', message: 'The Content-MD5 you specified is not valid.' };
    if (createHash('md5').update(body).digest('base64') !== md5.trim()) return { status: 400, code: 'BadDigest', message: 'The Content-MD5 you specified did not match what we received.' };
  }
  for (const { header, name, digest } of algorithms) {
    const expected = headers[header];
    if (typeof expected === 'string' && digest(body) !== expected.trim()) {
      return { status: 400, code: 'BadDigest', message: `The ${name} you specified did not match the calculated checksum.` };
    }
  }
  return undefined;
}
