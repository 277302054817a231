import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand,
  GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { failure, s3ClientConfig } from '../src/testing/clients';

const md5 = (body: string | Buffer): string => createHash('md5').update(body).digest('hex');

describe('embedded S3 objects', () => {
  let aws: LocalAws;
  let s3: S3Client;
  /** A request the SDK would not send (it only sends well-formed ones): signed in form only, as the edge routes by the signature's scope. */
  const raw = (method: string, path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${aws.endpoint}${path}`, { method, body: Buffer.from(body), headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0', ...headers } });
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    s3 = new S3Client(s3ClientConfig(aws));
    await s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
  });
  afterAll(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('returns the content type, user metadata and stored headers an object was put with, and its MD5 as ETag', async () => {
    // Prepare
    const body = '{"spec": 1}';
    // Act
    const put = await s3.send(new PutObjectCommand({
      Bucket: 'objects', Key: 'meta.json', Body: body, ContentType: 'application/json', CacheControl: 'no-cache', ContentDisposition: 'attachment; filename="meta.json"',
      Metadata: { release: 'v2', 'built-by': 'ci' }, StorageClass: 'STANDARD_IA',
    }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'meta.json' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'meta.json' }));
    // Assess
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(await got.Body!.transformToString()).toBe(body);
    for (const out of [got, head]) {
      expect(out).toMatchObject({
        ContentType: 'application/json', CacheControl: 'no-cache', ContentDisposition: 'attachment; filename="meta.json"', ContentLength: body.length,
        ETag: put.ETag, Metadata: { release: 'v2', 'built-by': 'ci' }, StorageClass: 'STANDARD_IA', AcceptRanges: 'bytes',
      });
      expect(out.LastModified).toBeInstanceOf(Date);
    }
  });

  it('gives an object put without a content type binary/octet-stream, as S3 does', async () => {
    // Act
    await raw('PUT', '/objects/untyped', 'bytes');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'untyped' }));
    // Assess
    expect(head.ContentType).toBe('binary/octet-stream');
  });

  it('serves one byte range with 206, and refuses a range that starts past the end with InvalidRange 416', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'digits.txt', Body: '0123456789' }));
    // Act
    const middle = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits.txt', Range: 'bytes=2-4' }));
    const tail = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits.txt', Range: 'bytes=-3' }));
    const open = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits.txt', Range: 'bytes=8-' }));
    const past = await failure(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits.txt', Range: 'bytes=10-12' })));
    // Assess
    expect(await middle.Body!.transformToString()).toBe('234');
    expect(middle).toMatchObject({ ContentRange: 'bytes 2-4/10', ContentLength: 3, $metadata: { httpStatusCode: 206 } });
    expect(await tail.Body!.transformToString()).toBe('789');
    expect(await open.Body!.transformToString()).toBe('89');
    expect(past).toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  });

  it('answers conditional reads: 304 when If-None-Match holds the ETag, PreconditionFailed 412 when If-Match does not', async () => {
    // Prepare
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'conditional.txt', Body: 'v1' }));
    // Act
    const notModified = await failure(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'conditional.txt', IfNoneMatch: ETag })));
    const wrongETag = await failure(s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'conditional.txt', IfMatch: '"0123456789abcdef0123456789abcdef"' })));
    const matching = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'conditional.txt', IfMatch: ETag }));
    // Assess
    expect(notModified).toMatchObject({ $metadata: { httpStatusCode: 304 } });
    expect(wrongETag).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(await matching.Body!.transformToString()).toBe('v1');
  });

  it('writes conditionally: If-None-Match * never overwrites, If-Match only overwrites the version named', async () => {
    // Prepare
    const first = await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'lock.json', Body: 'first', IfNoneMatch: '*' }));
    // Act
    const overwrite = await failure(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'lock.json', Body: 'second', IfNoneMatch: '*' })));
    const stale = await failure(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'lock.json', Body: 'third', IfMatch: '"0123456789abcdef0123456789abcdef"' })));
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'lock.json', Body: 'fourth', IfMatch: first.ETag }));
    // Assess
    expect(overwrite).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(stale).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'lock.json' }));
    expect(await stored.Body!.transformToString()).toBe('fourth');
  });

  it('copies with the source metadata by default, with new metadata on REPLACE, and refuses an unchanged copy onto itself', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'source/spec.yaml', Body: 'alias: live', ContentType: 'text/yaml', Metadata: { team: 'checkout' } }));
    // Act
    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'copies/spec 1.yaml', CopySource: 'objects/source/spec.yaml' }));
    await s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'copies/spec 2.yaml', CopySource: 'objects/source/spec.yaml', MetadataDirective: 'REPLACE', ContentType: 'text/plain', Metadata: { team: 'payments' } }));
    const onItself = await failure(s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'source/spec.yaml', CopySource: 'objects/source/spec.yaml' })));
    const missing = await failure(s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'copies/none', CopySource: 'objects/source/none.yaml' })));
    // Assess
    expect(copied.CopyObjectResult).toMatchObject({ ETag: `"${md5('alias: live')}"` });
    expect(copied.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    expect(await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'copies/spec 1.yaml' }))).toMatchObject({ ContentType: 'text/yaml', Metadata: { team: 'checkout' } });
    expect(await s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'copies/spec 2.yaml' }))).toMatchObject({ ContentType: 'text/plain', Metadata: { team: 'payments' } });
    expect(onItself).toMatchObject({ name: 'InvalidRequest', $metadata: { httpStatusCode: 400 } });
    expect(missing).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('answers NotFound 404 to HeadObject and 204 to DeleteObject for a key that does not exist', async () => {
    // Act
    const head = await failure(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'never-put' })));
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'never-put' }));
    // Assess
    expect(head).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(deleted.$metadata.httpStatusCode).toBe(204);
  });

  it('stores keys with . and .. segments as S3 does, each as its own object', async () => {
    // Prepare
    const keys = ['a/../../escape.txt', './here', '../up', 'a/./b'];
    // Act
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: key, Body: `body of ${key}` }));
    const bodies = await Promise.all(keys.map(async (key) => (await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: key }))).Body!.transformToString()));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'objects' }));
    // Assess
    expect(bodies).toEqual(keys.map((key) => `body of ${key}`));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(expect.arrayContaining(keys));
  });

  it('refuses a key longer than 1024 bytes of UTF-8 with KeyTooLongError', async () => {
    // Act
    const error = await failure(s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'é'.repeat(513), Body: 'x' })));
    // Assess
    expect(error).toMatchObject({ name: 'KeyTooLongError', $metadata: { httpStatusCode: 400 } });
  });

  it('deletes many objects at once, reporting every key, and with Quiet only the errors', async () => {
    // Prepare
    for (const key of ['batch/1', 'batch/2', 'batch/3']) await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: key, Body: key }));
    // Act
    const loud = await s3.send(new DeleteObjectsCommand({ Bucket: 'objects', Delete: { Objects: [{ Key: 'batch/1' }, { Key: 'batch/none' }] } }));
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: 'objects', Delete: { Quiet: true, Objects: [{ Key: 'batch/2' }, { Key: 'batch/3', VersionId: '3HL4kqtJlcpXroDTDmJ' }] } }));
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'objects', Prefix: 'batch/' }));
    // Assess
    expect(loud.Deleted?.map((deleted) => deleted.Key)).toEqual(['batch/1', 'batch/none']);
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(quiet.Errors).toEqual([expect.objectContaining({ Key: 'batch/3', Code: 'NoSuchVersion' })]);
    expect(left.Contents?.map((object) => object.Key)).toEqual(['batch/3']);
  });

  it('answers MalformedXML to a DeleteObjects body that is not XML, and InvalidRequest to one without a checksum', async () => {
    // Prepare
    const body = '<Delete><Object><Key>x</Key></Object>';
    // Act
    const malformed = await raw('POST', '/objects?delete', body, { 'content-md5': createHash('md5').update(body).digest('base64') });
    const unchecked = await raw('POST', '/objects?delete', `${body}</Delete>`);
    // Assess
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('<Code>MalformedXML</Code>');
    expect(unchecked.status).toBe(400);
    expect(await unchecked.text()).toContain('<Code>InvalidRequest</Code>');
  });

  it('assembles a multipart upload from its parts in order, with the ETag S3 gives it', async () => {
    // Prepare
    const first = Buffer.alloc(5 * 1024 * 1024, 'a');
    const second = Buffer.from('the end');
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'objects', Key: 'big.bin', ContentType: 'application/octet-stream', Metadata: { parts: '2' } }));
    const part2 = await s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'big.bin', UploadId, PartNumber: 2, Body: second }));
    const part1 = await s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'big.bin', UploadId, PartNumber: 1, Body: first }));
    // Act
    const completed = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'objects', Key: 'big.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part1.ETag }, { PartNumber: 2, ETag: part2.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'big.bin' }));
    // Assess
    const expectedETag = `"${createHash('md5').update(Buffer.concat([Buffer.from(md5(first), 'hex'), Buffer.from(md5(second), 'hex')])).digest('hex')}-2"`;
    expect(completed).toMatchObject({ Bucket: 'objects', Key: 'big.bin', ETag: expectedETag });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([first, second]))).toBe(true);
    expect(got).toMatchObject({ ETag: expectedETag, ContentType: 'application/octet-stream', Metadata: { parts: '2' } });
  });

  it('refuses to complete an upload with parts out of order, unknown, or too small, and forgets an aborted one', async () => {
    // Prepare
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'objects', Key: 'parts.bin' }));
    const one = await s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'parts.bin', UploadId, PartNumber: 1, Body: 'small' }));
    const two = await s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'parts.bin', UploadId, PartNumber: 2, Body: 'last' }));
    const complete = (parts: { PartNumber: number; ETag?: string }[]) => failure(s3.send(new CompleteMultipartUploadCommand({ Bucket: 'objects', Key: 'parts.bin', UploadId, MultipartUpload: { Parts: parts } })));
    // Act
    const outOfOrder = await complete([{ PartNumber: 2, ETag: two.ETag }, { PartNumber: 1, ETag: one.ETag }]);
    const unknown = await complete([{ PartNumber: 1, ETag: one.ETag }, { PartNumber: 3, ETag: two.ETag }]);
    const tooSmall = await complete([{ PartNumber: 1, ETag: one.ETag }, { PartNumber: 2, ETag: two.ETag }]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'objects', Key: 'parts.bin', UploadId }));
    const afterAbort = await failure(s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'parts.bin', UploadId, PartNumber: 3, Body: 'late' })));
    // Assess
    expect(outOfOrder).toMatchObject({ name: 'InvalidPartOrder', $metadata: { httpStatusCode: 400 } });
    expect(unknown).toMatchObject({ name: 'InvalidPart', $metadata: { httpStatusCode: 400 } });
    expect(tooSmall).toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
    expect(afterAbort).toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'parts.bin' })))).toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('answers NotImplemented (501) for an object operation it does not have, rather than serving the object', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'tagged', Body: 'x' }));
    // Act
    const error = await failure(s3.send(new GetObjectTaggingCommand({ Bucket: 'objects', Key: 'tagged' })));
    // Assess
    expect(error).toMatchObject({ name: 'NotImplemented', message: expect.stringContaining('GetObjectTagging'), $metadata: { httpStatusCode: 501 } });
  });
});
