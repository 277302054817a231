import { createHash } from 'node:crypto';
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, paginateListObjectsV2, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { compareKeys, continuationToken, continuationTokenTarget, listPage } from '../src/services/s3/listing';
import { failure, s3ClientConfig } from '../src/testing/clients';

/** What a complete listing holds, in order: keys, and common prefixes where their first key would be. */
function modelListing(keys: readonly string[], prefix: string, delimiter: string): string[] {
  const entries: string[] = [];
  for (const key of [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const entry = at < 0 ? key : `${key.slice(0, at + delimiter.length)}<prefix>`;
    if (entries.at(-1) !== entry) entries.push(entry);
  }
  return entries;
}

describe('S3 listing pages', () => {
  const key = fc.string({ unit: fc.constantFrom('a', 'b', '/', 'é', '\uE000', '😀'), minLength: 1, maxLength: 6 });

  it('orders keys by their UTF-8 bytes, as S3 does, also beyond U+FFFF', () => {
    fc.assert(fc.property(key, key, (a, b) => {
      expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }));
    expect(['😀', '\uE000', 'z'].sort(compareKeys)).toEqual(['z', '\uE000', '😀']);
  });

  it('pages through every key and common prefix exactly once, in order, whatever the page size', () => {
    fc.assert(fc.property(
      fc.uniqueArray(key, { maxLength: 30 }), fc.string({ unit: fc.constantFrom('a', 'b', '/'), maxLength: 2 }), fc.constantFrom('', '/', 'b', 'ab'), fc.integer({ min: 1, max: 5 }),
      (keys, prefix, delimiter, maxKeys) => {
        // Prepare
        const sorted = keys.map((k) => ({ key: k })).sort((a, b) => compareKeys(a.key, b.key));
        const listed: string[] = [];
        let after: string | undefined;
        // Act
        for (let pages = 0; pages <= keys.length + 1; pages++) {
          const page = listPage(sorted, { prefix, delimiter, after, maxKeys });
          expect(page.contents.length + page.commonPrefixes.length).toBeLessThanOrEqual(maxKeys);
          const entries = [...page.contents.map((c) => ({ at: c.key, shown: c.key })), ...page.commonPrefixes.map((p) => ({ at: p, shown: `${p}<prefix>` }))];
          listed.push(...entries.sort((a, b) => compareKeys(a.at, b.at)).map((entry) => entry.shown));
          if (!page.isTruncated) break;
          after = page.last;
        }
        // Assess
        expect(listed).toEqual(modelListing(keys, prefix, delimiter));
      },
    ));
  });

  it('hands out continuation tokens that lead back to where the page ended, and recognises no others', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), (last) => {
      expect(continuationTokenTarget(continuationToken(last))).toBe(last);
    }));
    expect(continuationTokenTarget('not a token!')).toBeUndefined();
    expect(continuationTokenTarget('')).toBeUndefined();
  });
});

describe('embedded S3 listings through the SDK', () => {
  let aws: LocalAws;
  let s3: S3Client;
  const keys = ['docs/a.md', 'docs/b.md', 'docs/deep/c.md', 'index.html', 'logs/2026/01.log', 'logs/2026/02.log', 'logs/2027/01.log', 'readme', 'z 😀 key+1'];
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    s3 = new S3Client(s3ClientConfig(aws));
    await s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'listing', Key: k, Body: k }));
  });
  afterAll(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('pages with MaxKeys and continuation tokens through the SDK paginator, every key once and in order', async () => {
    // Act
    const pages = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 2 }, { Bucket: 'listing' })) pages.push(page);
    // Assess
    expect(pages.flatMap((page) => page.Contents?.map((object) => object.Key) ?? [])).toEqual(keys);
    expect(pages.map((page) => page.KeyCount)).toEqual([2, 2, 2, 2, 1]);
    expect(pages.slice(0, -1).every((page) => page.IsTruncated === true && page.NextContinuationToken)).toBe(true);
    expect(pages.at(-1)).toMatchObject({ IsTruncated: false });
    expect(pages.at(-1)?.NextContinuationToken).toBeUndefined();
  });

  it('rolls keys up into common prefixes under a delimiter, counting them towards MaxKeys and never repeating one', async () => {
    // Act
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'logs/', Delimiter: '/', MaxKeys: 1 }));
    const second = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'logs/', Delimiter: '/', MaxKeys: 1, ContinuationToken: first.NextContinuationToken }));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
    // Assess
    expect(first.CommonPrefixes).toEqual([{ Prefix: 'logs/2026/' }]);
    expect(first).toMatchObject({ KeyCount: 1, IsTruncated: true, Prefix: 'logs/', Delimiter: '/' });
    expect(second.CommonPrefixes).toEqual([{ Prefix: 'logs/2027/' }]);
    expect(second).toMatchObject({ KeyCount: 1, IsTruncated: false });
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['docs/', 'logs/']);
    expect(top.Contents?.map((object) => object.Key)).toEqual(['index.html', 'readme', 'z 😀 key+1']);
  });

  it('reports size, ETag and storage class of each object, and starts after StartAfter', async () => {
    // Act
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', StartAfter: 'logs/2027/01.log' }));
    // Assess
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['readme', 'z 😀 key+1']);
    expect(listed.Contents?.[0]).toMatchObject({ Size: 6, ETag: `"${createHash('md5').update('readme').digest('hex')}"`, StorageClass: 'STANDARD' });
    expect(listed.Contents?.[0]?.LastModified).toBeInstanceOf(Date);
    expect(listed.StartAfter).toBe('logs/2027/01.log');
  });

  it('URL-encodes keys and prefixes with EncodingType url, as S3 does', async () => {
    // Act
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'z ', EncodingType: 'url' }));
    // Assess
    expect(listed.EncodingType).toBe('url');
    expect(listed.Prefix).toBe('z+');
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['z+%F0%9F%98%80+key%2B1']);
  });

  it('pages the version 1 ListObjects with Marker, and NextMarker when a delimiter is given', async () => {
    // Act
    const first = await s3.send(new ListObjectsCommand({ Bucket: 'listing', MaxKeys: 2, Delimiter: '/' }));
    const second = await s3.send(new ListObjectsCommand({ Bucket: 'listing', MaxKeys: 2, Delimiter: '/', Marker: first.NextMarker }));
    // Assess
    expect(first).toMatchObject({ IsTruncated: true, NextMarker: 'index.html', CommonPrefixes: [{ Prefix: 'docs/' }] });
    expect(first.Contents?.map((object) => object.Key)).toEqual(['index.html']);
    expect(second.CommonPrefixes).toEqual([{ Prefix: 'logs/' }]);
    expect(second.Contents?.map((object) => object.Key)).toEqual(['readme']);
  });

  it('refuses a continuation token it did not hand out, and a MaxKeys that is not a number, with InvalidArgument', async () => {
    // Act
    const badToken = await failure(s3.send(new ListObjectsV2Command({ Bucket: 'listing', ContinuationToken: 'forged token' })));
    const badMaxKeys = await failure(s3.send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: -1 })));
    const noBucket = await failure(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })));
    // Assess
    expect(badToken).toMatchObject({ name: 'InvalidArgument', message: expect.stringContaining('continuation token'), $metadata: { httpStatusCode: 400 } });
    expect(badMaxKeys).toMatchObject({ name: 'InvalidArgument', message: expect.stringContaining('max-keys'), $metadata: { httpStatusCode: 400 } });
    expect(noBucket).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });
});
