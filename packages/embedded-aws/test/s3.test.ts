import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetBucketVersioningCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketAccelerateConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { S3ObjectNotFoundError } from '../src/services/s3/errors';
import { clientConfig, s3ClientConfig } from '../src/testing/clients';

describe('embedded S3', () => {
  let aws: LocalAws;
  let s3: S3Client;
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    s3 = new S3Client(s3ClientConfig(aws));
    await s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
  });
  afterAll(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('stores, returns and lists objects whose keys have spaces, plus signs and unicode', async () => {
    // Prepare
    const keys = ['releases/v1/code.zip', 'releases/v1/my file+1 ünïcødé.zip'];
    // Act
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: key, Body: `content of ${key}`, ContentType: 'application/zip' }));
    const fetched = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: keys[1] }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'artifacts', Prefix: 'releases/v1/' }));
    // Assess
    expect(await fetched.Body!.transformToString()).toBe(`content of ${keys[1]}`);
    expect(fetched.ContentType).toBe('application/zip');
    expect(listed.Contents?.map((object) => object.Key).sort()).toEqual([...keys].sort());
  });

  it('stores a streamed upload byte for byte with the SDK default settings (no path style, streamed checksums)', async () => {
    // Prepare: an IP-address endpoint makes the SDK use path style on its own; the default
    // checksum setting frames a streamed body as aws-chunked, which the edge decodes.
    const plain = new S3Client(clientConfig(aws));
    const body = Buffer.from('x'.repeat(70_000) + 'end');
    // Act
    await plain.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'streamed.bin', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), ContentLength: body.length }));
    const fetched = await plain.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'streamed.bin' }));
    // Assess
    expect(Buffer.from(await fetched.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(fetched.ContentEncoding).toBeUndefined();
    plain.destroy();
  });

  it('serves virtual-hosted requests (bucket.localhost) where that name resolves to loopback', async () => {
    // Prepare: stock Debian does not resolve *.localhost, so this client's agent does, as systemd-resolved or macOS would
    const looked: string[] = [];
    const lookup = ((host: string, options: { all?: boolean }, callback: (error: null, address: string | { address: string; family: number }[], family?: number) => void) =>
      (looked.push(host), options.all) ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4)) as never;
    const virtual = new S3Client({ ...clientConfig(aws), endpoint: aws.endpoint.replace('127.0.0.1', 'localhost'), requestHandler: { httpAgent: new Agent({ lookup }) } });
    // Act
    await virtual.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'virtual/hosted.txt', Body: 'vhost' }));
    const fetched = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'virtual/hosted.txt' }));
    // Assess
    expect(await fetched.Body!.transformToString()).toBe('vhost');
    expect(looked).toContain('artifacts.localhost');
    virtual.destroy();
  });

  it('refuses an upload whose checksum does not match its body with BadDigest', async () => {
    // Prepare: a CRC32 of other content, and a Content-MD5 of other content
    const wrongCrc = 'AAAAAA==';
    const wrongMd5 = 'XUFAKrxLKna5cZ2REBfFkg==';
    // Act
    const badCrc = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'bad-crc.zip', Body: 'payload', ChecksumCRC32: wrongCrc })).catch((caught: unknown) => caught);
    const badMd5 = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'bad-md5.zip', Body: 'payload', ContentMD5: wrongMd5 })).catch((caught: unknown) => caught);
    const good = await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'good.zip', Body: 'payload', ChecksumAlgorithm: 'SHA256' }));
    // Assess
    expect(badCrc).toMatchObject({ name: 'BadDigest', message: expect.stringContaining('CRC32'), $metadata: { httpStatusCode: 400 } });
    expect(badMd5).toMatchObject({ name: 'BadDigest', message: expect.stringContaining('Content-MD5') });
    expect(good.ETag).toBeDefined();
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'bad-crc.zip' })).catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ name: 'NoSuchKey' });
  });

  it('behaves as a bucket that was never versioned, and refuses to turn versioning on (see docs/local.md)', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'pinned.zip', Body: 'current' }));
    // Act
    const enabling = await s3.send(new PutBucketVersioningCommand({ Bucket: 'artifacts', VersioningConfiguration: { Status: 'Enabled' } })).catch((caught: unknown) => caught);
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: 'artifacts' }));
    const pinned = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'pinned.zip', VersionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' })).catch((caught: unknown) => caught);
    const nullVersion = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'pinned.zip', VersionId: 'null' }));
    // Assess
    expect(enabling).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    expect(versioning.Status).toBeUndefined();
    expect(pinned).toMatchObject({ name: 'NoSuchVersion', $metadata: { httpStatusCode: 404 } });
    expect(await nullVersion.Body!.transformToString()).toBe('current');
  });

  it('refuses bucket settings it does not implement instead of mistaking them for CreateBucket', async () => {
    // Act
    const error = await s3.send(new PutBucketAccelerateConfigurationCommand({ Bucket: 'not-created-by-this', AccelerateConfiguration: { Status: 'Enabled' } })).catch((caught: unknown) => caught);
    const buckets = await s3.send(new ListBucketsCommand({}));
    // Assess
    expect(error).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).not.toContain('not-created-by-this');
  });

  it('answers a missing key with NoSuchKey and HTTP 404, as the SDK sees it', async () => {
    // Act
    const error = await s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'nope.zip' })).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('lets sibling services read an object through its internal API', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'lambda/fn.zip', Body: Buffer.from([0x50, 0x4b, 3, 4]) }));
    // Act
    const zip = await aws.services.s3.getObject('artifacts', 'lambda/fn.zip');
    const sameAsNullVersion = await aws.services.s3.getObject('artifacts', 'lambda/fn.zip', 'null');
    // Assess
    expect([...zip]).toEqual([0x50, 0x4b, 3, 4]);
    expect(sameAsNullVersion.equals(zip)).toBe(true);
  });

  it('tells a sibling service which of bucket, key or version is missing', async () => {
    // Act
    const missingKey = await aws.services.s3.getObject('artifacts', 'absent.zip').catch((caught: unknown) => caught);
    const missingBucket = await aws.services.s3.getObject('no-such-bucket', 'fn.zip').catch((caught: unknown) => caught);
    const missingVersion = await aws.services.s3.getObject('artifacts', 'lambda/fn.zip', '3HL4kqtJlcpXroDTDmJ').catch((caught: unknown) => caught);
    // Assess
    expect(missingKey).toBeInstanceOf(S3ObjectNotFoundError);
    expect(missingKey).toMatchObject({ code: 'NoSuchKey', bucket: 'artifacts', key: 'absent.zip' });
    expect(missingBucket).toMatchObject({ code: 'NoSuchBucket', bucket: 'no-such-bucket' });
    expect(missingVersion).toMatchObject({ code: 'NoSuchVersion' });
  });
});
