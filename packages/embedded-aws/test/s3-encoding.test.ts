import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AwsChunkedError, decodeAwsChunked } from '../src/services/s3/aws-chunked';
import { createSequencer, encodeS3EventKey } from '../src/services/s3/event-records';

describe('S3 event record keys', () => {
  it('encodes keys as S3 does: space as +, + as %2B, unicode as UTF-8 percent escapes, slashes kept', () => {
    expect(encodeS3EventKey('red flower.jpg')).toBe('red+flower.jpg');
    expect(encodeS3EventKey('c++/a+b.zip')).toBe('c%2B%2B/a%2Bb.zip');
    expect(encodeS3EventKey('déploiement/ü 1.yaml')).toBe('d%C3%A9ploiement/%C3%BC+1.yaml');
    expect(encodeS3EventKey('logs/dt=2026-11-22/10:47 (1).log')).toBe('logs/dt%3D2026-11-22/10%3A47+%281%29.log');
  });

  it('decodes back to the original key with the decoding AWS documents, for any key', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (key) => {
      expect(decodeURIComponent(encodeS3EventKey(key).replace(/\+/g, ' '))).toBe(key);
    }));
  });
});

describe('S3 event sequencers', () => {
  it('grow with every event, also within one millisecond, and compare as strings', () => {
    // Prepare
    let now = 1_700_000_000_000;
    const next = createSequencer(() => now);
    // Act
    const first = next();
    const second = next();
    now += 1;
    const third = next();
    // Assess
    expect([first, second, third]).toEqual([first, second, third].slice().sort());
    expect(new Set([first, second, third]).size).toBe(3);
  });
});

describe('aws-chunked upload bodies', () => {
  it('strips signed chunk framing and turns trailing checksums into headers', () => {
    // Prepare
    const framed = Buffer.from('5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=ghi\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    // Act
    const { body, headers } = decodeAwsChunked(framed, { 'content-encoding': 'aws-chunked, gzip', 'x-amz-decoded-content-length': '11', 'x-amz-trailer': 'x-amz-checksum-crc32' });
    // Assess
    expect(body.toString()).toBe('hello world');
    expect(headers).toMatchObject({ 'content-encoding': 'gzip', 'content-length': '11', 'x-amz-checksum-crc32': 'DUoRhQ==' });
    expect(headers['x-amz-decoded-content-length']).toBeUndefined();
  });

  it('says where a malformed body breaks', () => {
    expect(() => decodeAwsChunked(Buffer.from('zz\r\nhello\r\n'), {})).toThrow(AwsChunkedError);
    expect(() => decodeAwsChunked(Buffer.from('ff\r\nshort\r\n'), {})).toThrow(/runs past the end/);
    expect(() => decodeAwsChunked(Buffer.from('5\r\nhello\r\n0\r\n\r\n'), { 'x-amz-decoded-content-length': '6' })).toThrow(/x-amz-decoded-content-length says 6/);
  });
});
