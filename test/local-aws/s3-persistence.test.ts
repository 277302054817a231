import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '@fledge-local/embedded-aws';
import { startFledge } from '../local-mode/process';
import { clientConfig, eventually, failure, s3ClientConfig } from '../support/local-aws';

describe('embedded S3 persistence', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const dataDirectory = async (): Promise<string> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-s3-persist-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    return dataDir;
  };
  const start = async (dataDir: string): Promise<{ aws: LocalAws; s3: S3Client }> => {
    const aws = await startLocalAws({ port: 0, dataDir });
    const s3 = new S3Client(s3ClientConfig(aws));
    cleanups.push(async () => { s3.destroy(); await aws.stop(); });
    return { aws, s3 };
  };

  it('keeps objects with their metadata, listing order, deletions and multipart uploads in progress across a restart', async () => {
    // Prepare
    const dataDir = await dataDirectory();
    const first = await start(dataDir);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
    for (const key of ['b.txt', 'a/1.txt', 'a/2.txt', 'gone.txt']) await first.s3.send(new PutObjectCommand({ Bucket: 'kept', Key: key, Body: `body of ${key}`, ContentType: 'text/plain', Metadata: { key } }));
    await first.s3.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'gone.txt' }));
    const { UploadId } = await first.s3.send(new CreateMultipartUploadCommand({ Bucket: 'kept', Key: 'later.bin' }));
    const part = await first.s3.send(new UploadPartCommand({ Bucket: 'kept', Key: 'later.bin', UploadId, PartNumber: 1, Body: 'uploaded before the restart' }));
    await first.aws.stop();
    // Act
    const second = await start(dataDir);
    const listed = await second.s3.send(new ListObjectsV2Command({ Bucket: 'kept' }));
    const head = await second.s3.send(new HeadObjectCommand({ Bucket: 'kept', Key: 'a/2.txt' }));
    await second.s3.send(new CompleteMultipartUploadCommand({ Bucket: 'kept', Key: 'later.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    const completed = await second.s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'later.bin' }));
    // Assess
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['a/1.txt', 'a/2.txt', 'b.txt']);
    expect(head).toMatchObject({ ContentType: 'text/plain', Metadata: { key: 'a/2.txt' }, ContentLength: 'body of a/2.txt'.length });
    expect(await completed.Body!.transformToString()).toBe('uploaded before the restart');
  });

  it('keeps every write it answered when its process is killed (SIGKILL) right after', async () => {
    // Prepare
    const dataDir = await dataDirectory();
    const launch = async () => {
      const running = startFledge(['local-aws', '--port', '0', '--time-scale', '0.01', '--data-dir', dataDir]);
      cleanups.push(() => { if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL'); });
      const endpoint = await eventually(() => /listening on (http:\/\/\S+)/.exec(running.stdout)?.[1], { timeoutMs: 15_000, what: `the endpoint line (stderr: ${running.stderr})` });
      const s3 = new S3Client({ ...clientConfig({ endpoint, region: 'us-east-1' }), forcePathStyle: true });
      cleanups.push(() => s3.destroy());
      return { running, s3 };
    };
    const first = await launch();
    await first.s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
    const keys = Array.from({ length: 20 }, (_, index) => `objects/${index}.json`);
    // Act: writes in parallel, an overwrite, a copy and a deletion, then the kill right after the last answer
    await Promise.all(keys.map((key) => first.s3.send(new PutObjectCommand({ Bucket: 'crash', Key: key, Body: JSON.stringify({ key }) }))));
    await first.s3.send(new PutObjectCommand({ Bucket: 'crash', Key: keys[0], Body: 'overwritten' }));
    await first.s3.send(new CopyObjectCommand({ Bucket: 'crash', Key: 'copy.json', CopySource: `crash/${keys[1]}` }));
    await first.s3.send(new DeleteObjectCommand({ Bucket: 'crash', Key: keys[2] }));
    first.running.child.kill('SIGKILL');
    expect(await first.running.exit).toBe('SIGKILL');
    const second = await launch();
    const listed = await second.s3.send(new ListObjectsV2Command({ Bucket: 'crash' }));
    const bodies = await Promise.all(['copy.json', keys[0] as string, keys[19] as string].map(async (key) => (await second.s3.send(new GetObjectCommand({ Bucket: 'crash', Key: key }))).Body!.transformToString()));
    // Assess
    expect(listed.Contents?.map((object) => object.Key).sort()).toEqual(['copy.json', ...keys.filter((key) => key !== keys[2])].sort());
    expect(bodies).toEqual([JSON.stringify({ key: keys[1] }), 'overwritten', JSON.stringify({ key: keys[19] })]);
  });

  it('drops what a write interrupted mid-way left behind, and keeps the object as it was before it', async () => {
    // Prepare: the temporary file a write killed before its rename leaves next to the object files
    const dataDir = await dataDirectory();
    const first = await start(dataDir);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'interrupted' }));
    await first.s3.send(new PutObjectCommand({ Bucket: 'interrupted', Key: 'spec.yaml', Body: 'before' }));
    await first.aws.stop();
    const objects = join(dataDir, 's3', 'store', 'interrupted', 'objects');
    const [file] = await readdir(objects);
    await writeFile(join(objects, `${file}.0123456789ab.tmp`), 'half a write');
    // Act
    const second = await start(dataDir);
    const object = await second.s3.send(new GetObjectCommand({ Bucket: 'interrupted', Key: 'spec.yaml' }));
    // Assess
    expect(await object.Body!.transformToString()).toBe('before');
    expect(await readdir(objects)).toEqual([file]);
  });

  it('refuses to start on a damaged object file, naming it', async () => {
    // Prepare
    const dataDir = await dataDirectory();
    const first = await start(dataDir);
    await first.s3.send(new CreateBucketCommand({ Bucket: 'damaged' }));
    await first.s3.send(new PutObjectCommand({ Bucket: 'damaged', Key: 'spec.yaml', Body: 'x' }));
    await first.aws.stop();
    const objects = join(dataDir, 's3', 'store', 'damaged', 'objects');
    const [file] = await readdir(objects);
    await writeFile(join(objects, file as string), 'not an object file');
    // Act
    const error = await startLocalAws({ port: 0, dataDir }).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'LocalAwsStartError', message: expect.stringContaining(join(objects, file as string)) });
  });

  it('imports the objects an earlier fledge kept in the s3rver layout, with their content type and metadata', async () => {
    // Prepare: <dataDir>/s3/buckets/<bucket>/<key>._S3rver_object, as s3rver 3 wrote it
    const dataDir = await dataDirectory();
    const bucket = join(dataDir, 's3', 'buckets', 'old-artifacts');
    await mkdir(join(bucket, 'releases', 'v1'), { recursive: true });
    await writeFile(join(bucket, 'releases', 'v1', 'my spec.yaml._S3rver_object'), 'function: checkout');
    await writeFile(join(bucket, 'releases', 'v1', 'my spec.yaml._S3rver_metadata.json'), JSON.stringify({ 'content-type': 'text/yaml', 'x-amz-meta-team': 'payments' }));
    await writeFile(join(bucket, 'code.zip._S3rver_object'), 'PK');
    // Act
    const { s3 } = await start(dataDir);
    const spec = await s3.send(new GetObjectCommand({ Bucket: 'old-artifacts', Key: 'releases/v1/my spec.yaml' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'old-artifacts' }));
    // Assess
    expect(await spec.Body!.transformToString()).toBe('function: checkout');
    expect(spec).toMatchObject({ ContentType: 'text/yaml', Metadata: { team: 'payments' } });
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['code.zip', 'releases/v1/my spec.yaml']);
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'old-artifacts', Key: 'releases/v1/my spec.yaml._S3rver_metadata.json' })))).toMatchObject({ name: 'NoSuchKey' });
  });
});
