import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetBucketLocationCommand, GetObjectCommand, HeadBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { failure, s3ClientConfig } from '../src/testing/clients';

describe('embedded S3 buckets', () => {
  let aws: LocalAws;
  let s3: S3Client;
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    s3 = new S3Client(s3ClientConfig(aws));
  });
  afterAll(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('creates, finds, lists and deletes a bucket', async () => {
    // Act
    await s3.send(new CreateBucketCommand({ Bucket: 'lifecycle-bucket' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'lifecycle-bucket' }));
    const listed = await s3.send(new ListBucketsCommand({}));
    await s3.send(new DeleteBucketCommand({ Bucket: 'lifecycle-bucket' }));
    const gone = await failure(s3.send(new HeadBucketCommand({ Bucket: 'lifecycle-bucket' })));
    // Assess
    expect(head).toMatchObject({ BucketRegion: 'us-east-1', $metadata: { httpStatusCode: 200 } });
    expect(listed.Buckets).toEqual([expect.objectContaining({ Name: 'lifecycle-bucket', BucketRegion: 'us-east-1', CreationDate: expect.any(Date) })]);
    expect(listed.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    expect(gone).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
  });

  it('refuses to delete a bucket that holds an object with BucketNotEmpty 409, and deletes it once empty', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'not-empty' }));
    await s3.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'keep.txt', Body: 'x' }));
    // Act
    const refused = await failure(s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' })));
    const stillThere = await s3.send(new GetObjectCommand({ Bucket: 'not-empty', Key: 'keep.txt' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'not-empty', Key: 'keep.txt' }));
    const deleted = await s3.send(new DeleteBucketCommand({ Bucket: 'not-empty' }));
    // Assess
    expect(refused).toMatchObject({ name: 'BucketNotEmpty', $metadata: { httpStatusCode: 409 } });
    expect(await stillThere.Body!.transformToString()).toBe('x');
    expect(deleted.$metadata.httpStatusCode).toBe(204);
  });

  it('refuses bucket names S3 refuses with InvalidBucketName 400, saying why', async () => {
    // Act
    const errors = await Promise.all(['Upper-Case', 'under_score', 'ab', '192.168.1.1', 'two..dots', '-dash-first'].map((name) => failure(s3.send(new CreateBucketCommand({ Bucket: name })))));
    const buckets = await s3.send(new ListBucketsCommand({}));
    // Assess
    for (const error of errors) expect(error).toMatchObject({ name: 'InvalidBucketName', $metadata: { httpStatusCode: 400 } });
    expect(errors[2]?.message).toContain('3 to 63 characters');
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).not.toContain('ab');
  });

  it('answers NoSuchBucket 404 to object and bucket operations on a bucket that does not exist', async () => {
    // Act
    const put = await failure(s3.send(new PutObjectCommand({ Bucket: 'missing-bucket', Key: 'k', Body: 'x' })));
    const get = await failure(s3.send(new GetObjectCommand({ Bucket: 'missing-bucket', Key: 'k' })));
    const remove = await failure(s3.send(new DeleteBucketCommand({ Bucket: 'missing-bucket' })));
    const location = await failure(s3.send(new GetBucketLocationCommand({ Bucket: 'missing-bucket' })));
    // Assess
    for (const error of [put, get, remove, location]) expect(error).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });

  it('reports the region a bucket was created in: empty for us-east-1, the LocationConstraint otherwise', async () => {
    // Act
    await s3.send(new CreateBucketCommand({ Bucket: 'in-virginia' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'in-ireland', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const virginia = await s3.send(new GetBucketLocationCommand({ Bucket: 'in-virginia' }));
    const ireland = await s3.send(new GetBucketLocationCommand({ Bucket: 'in-ireland' }));
    const named = await failure(s3.send(new CreateBucketCommand({ Bucket: 'named-default', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as 'eu-west-1' } })));
    // Assess
    expect(virginia.LocationConstraint ?? '').toBe('');
    expect(ireland.LocationConstraint).toBe('eu-west-1');
    expect(named).toMatchObject({ name: 'InvalidLocationConstraint', $metadata: { httpStatusCode: 400 } });
  });

  it('treats creating a bucket it already has as a no-op in us-east-1, as S3 does there', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'created-twice' }));
    await s3.send(new PutObjectCommand({ Bucket: 'created-twice', Key: 'kept', Body: 'x' }));
    // Act
    const again = await s3.send(new CreateBucketCommand({ Bucket: 'created-twice' }));
    const kept = await s3.send(new GetObjectCommand({ Bucket: 'created-twice', Key: 'kept' }));
    // Assess
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect(await kept.Body!.transformToString()).toBe('x');
  });
});

describe('embedded S3 buckets outside us-east-1', () => {
  it('answers BucketAlreadyOwnedByYou 409 to creating a bucket it already has, as S3 does outside us-east-1', async () => {
    // Prepare
    const aws = await startLocalAws({ port: 0, region: 'eu-central-1' });
    const s3 = new S3Client(s3ClientConfig(aws));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'frankfurt', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
      // Act
      const again = await failure(s3.send(new CreateBucketCommand({ Bucket: 'frankfurt', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } })));
      const location = await s3.send(new GetBucketLocationCommand({ Bucket: 'frankfurt' }));
      // Assess
      expect(again).toMatchObject({ name: 'BucketAlreadyOwnedByYou', $metadata: { httpStatusCode: 409 } });
      expect(location.LocationConstraint).toBe('eu-central-1');
    } finally {
      s3.destroy();
      await aws.stop();
    }
  });
});
