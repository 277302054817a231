import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, UploadPartCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inspect } from '../src/control-client';
import { startLocalAws, type LocalAws, type ServiceFactory } from '../src/server';
import type { LambdaInternal } from '../src/types';
import { eventually, s3ClientConfig } from '../src/testing/clients';

interface S3EventRecord {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  s3: { configurationId: string; bucket: { name: string; arn: string }; object: { key: string; size?: number; eTag?: string; sequencer: string } };
}
interface Invocation { functionName: string; invocationType: string | undefined; records: S3EventRecord[] }

/** A stand-in Lambda service that records what S3 invokes, so these tests depend on S3 alone. */
function recordingLambda(invocations: Invocation[]): ServiceFactory {
  const internal: LambdaInternal = {
    async invoke(functionName, payload, options) {
      invocations.push({ functionName, invocationType: options?.invocationType, records: (JSON.parse(payload.toString()) as { Records: S3EventRecord[] }).Records });
      return { statusCode: 202, payload: Buffer.alloc(0), executedVersion: '$LATEST' };
    },
    registerInProcessFunction() {},
  };
  return () => ({ signingName: 'lambda', internal, handle: async () => { throw new Error('the recording Lambda has no API'); } });
}

const functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:fledge-trigger';
const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

describe('embedded S3 bucket notifications', () => {
  let aws: LocalAws;
  let s3: S3Client;
  const invocations: Invocation[] = [];
  const recordsFor = (key: string) => eventually(() => invocations.flatMap((i) => i.records).find((r) => decodeKey(r.s3.object.key) === key), { what: `an event for ${key}` });

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, timeScale: 0.01 }, { factories: [recordingLambda(invocations)] });
    s3 = new S3Client(s3ClientConfig(aws));
    await s3.send(new CreateBucketCommand({ Bucket: 'deployments' }));
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'deployments',
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { Id: 'specs', LambdaFunctionArn: functionArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }, { Name: 'suffix', Value: '.yaml' }] } } },
          { Id: 'removals', LambdaFunctionArn: functionArn, Events: ['s3:ObjectRemoved:*'] },
        ],
      },
    }));
  });
  beforeEach(() => {
    invocations.length = 0;
  });
  afterAll(async () => {
    s3.destroy();
    await aws.stop();
  });

  it('returns the configuration it was given', async () => {
    // Act
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'deployments' }));
    // Assess
    expect(config.LambdaFunctionConfigurations).toEqual([
      { Id: 'specs', LambdaFunctionArn: functionArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }, { Name: 'suffix', Value: '.yaml' }] } } },
      { Id: 'removals', LambdaFunctionArn: functionArn, Events: ['s3:ObjectRemoved:*'] },
    ]);
  });

  it('invokes the function asynchronously with a real S3 record whose key is URL-encoded as S3 does', async () => {
    // Prepare
    const key = 'incoming/my spec+v2 ünï.yaml';
    const before = aws.clock.now();
    // Act
    const put = await s3.send(new PutObjectCommand({ Bucket: 'deployments', Key: key, Body: 'alias: live' }));
    const record = await recordsFor(key);
    // Assess
    expect(record.s3.object.key).toBe('incoming/my+spec%2Bv2+%C3%BCn%C3%AF.yaml');
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: { configurationId: 'specs', bucket: { name: 'deployments', arn: 'arn:aws:s3:::deployments' }, object: { size: 11, eTag: put.ETag!.replace(/"/g, '') } },
    });
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]{16,}$/);
    const eventTime = Date.parse(record.eventTime);
    expect(eventTime).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(eventTime).toBeLessThanOrEqual(aws.clock.now());
    expect(invocations[0]).toMatchObject({ functionName: functionArn, invocationType: 'Event' });
  });

  it('skips objects outside the prefix or suffix filter', async () => {
    // Act: two ignored objects, then one that matches; events arrive in order of creation
    await s3.send(new PutObjectCommand({ Bucket: 'deployments', Key: 'other/spec.yaml', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'deployments', Key: 'incoming/spec.json', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'deployments', Key: 'incoming/spec.yaml', Body: 'x' }));
    await recordsFor('incoming/spec.yaml');
    // Assess
    expect(invocations.flatMap((i) => i.records).map((r) => r.s3.object.key)).toEqual(['incoming/spec.yaml']);
  });

  it('reports copies with their eTag, and deletions one record per removed object', async () => {
    // Prepare
    const original = await s3.send(new PutObjectCommand({ Bucket: 'deployments', Key: 'incoming/a.yaml', Body: 'spec a' }));
    await s3.send(new PutObjectCommand({ Bucket: 'deployments', Key: 'incoming/b.yaml', Body: 'spec b' }));
    // Act
    await s3.send(new CopyObjectCommand({ Bucket: 'deployments', Key: 'incoming/copy of a.yaml', CopySource: 'deployments/incoming/a.yaml' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'deployments', Key: 'incoming/a.yaml' }));
    await s3.send(new DeleteObjectsCommand({ Bucket: 'deployments', Delete: { Objects: [{ Key: 'incoming/b.yaml' }, { Key: 'incoming/never-existed.yaml' }] } }));
    // Assess
    const copy = await recordsFor('incoming/copy of a.yaml');
    expect(copy).toMatchObject({ eventName: 'ObjectCreated:Copy', s3: { object: { key: 'incoming/copy+of+a.yaml', size: 6, eTag: original.ETag!.replace(/"/g, '') } } });
    const removals = await eventually(() => {
      const found = invocations.flatMap((i) => i.records).filter((r) => r.eventName === 'ObjectRemoved:Delete');
      return found.length >= 2 ? found : undefined;
    }, { what: 'two removal events' });
    expect(removals.map((r) => r.s3.object.key).sort()).toEqual(['incoming/a.yaml', 'incoming/b.yaml']);
    expect(removals.every((r) => r.s3.configurationId === 'removals' && r.s3.object.eTag === undefined)).toBe(true);
  });

  it('names a completed multipart upload CompleteMultipartUpload', async () => {
    // Prepare
    const key = 'incoming/large spec.yaml';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'deployments', Key: key }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'deployments', Key: key, UploadId, PartNumber: 1, Body: 'only part' }));
    // Act
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'deployments', Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    // Assess
    const record = await recordsFor(key);
    expect(record).toMatchObject({ eventName: 'ObjectCreated:CompleteMultipartUpload', s3: { object: { key: 'incoming/large+spec.yaml', size: 9 } } });
    expect(record.s3.object.eTag).toMatch(/^[0-9a-f]{32}(-1)?$/);
  });

  it('keeps the deliveries inspectable', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'deployments', Key: 'incoming/inspected.yaml', Body: 'x' }));
    // Act
    const deliveries = await eventually(async () => {
      const body = await inspect<{ deliveries: { key: string; status: string }[] }>(aws.endpoint, 's3', 'notifications');
      return body.deliveries.find((d) => d.key === 'incoming/inspected.yaml' && d.status === 'delivered');
    }, { what: 'the delivery to show as delivered' });
    const configuration = await inspect(aws.endpoint, 's3', 'buckets/deployments/notification');
    const nothing = await inspect(aws.endpoint, 's3', 'no/such/path').catch((caught: unknown) => caught);
    // Assess
    expect(deliveries).toMatchObject({ key: 'incoming/inspected.yaml', status: 'delivered' });
    expect(configuration).toMatchObject({ targets: [{ id: 'specs', kind: 'lambda', arn: functionArn }, { id: 'removals' }] });
    expect(nothing).toMatchObject({ name: 'ControlApiError', status: 404 });
  });

  it('forgets the configuration of a deleted bucket', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'short-lived', NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: 'gone', LambdaFunctionArn: functionArn, Events: ['s3:ObjectCreated:*'] }] } }));
    // Act
    await s3.send(new DeleteBucketCommand({ Bucket: 'short-lived' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'short-lived' }));
    // Assess
    expect(config.LambdaFunctionConfigurations ?? []).toEqual([]);
  });

  it('refuses an unknown event type with InvalidArgument', async () => {
    // Act
    const error = await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: 'deployments',
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: functionArn, Events: ['s3:ObjectCreated:Upload' as 's3:ObjectCreated:*'] }] },
    })).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'InvalidArgument', message: expect.stringContaining('s3:ObjectCreated:Upload'), $metadata: { httpStatusCode: 400 } });
  });

  it('answers NoSuchBucket for the configuration of a bucket that does not exist', async () => {
    // Act
    const error = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'not-there' })).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });
});

describe('embedded S3 bucket notifications with the embedded Lambda', () => {
  it('runs an in-process function with the event record of a new spec', async () => {
    // Prepare
    const aws = await startLocalAws({ port: 0, timeScale: 0.01 });
    const s3 = new S3Client(s3ClientConfig(aws));
    try {
      const received: S3EventRecord[] = [];
      aws.services.lambda.registerInProcessFunction({
        functionName: 'fledge-spec-trigger',
        handler: async (event) => {
          received.push(...(event as { Records: S3EventRecord[] }).Records);
          return {};
        },
      });
      await s3.send(new CreateBucketCommand({ Bucket: 'fledge-specs' }));
      await s3.send(new PutBucketNotificationConfigurationCommand({
        Bucket: 'fledge-specs',
        NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: 'on-spec', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fledge-spec-trigger', Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.yaml' }] } } }] },
      }));
      // Act
      await s3.send(new PutObjectCommand({ Bucket: 'fledge-specs', Key: 'checkout api.yaml', Body: 'function: checkout' }));
      const record = await eventually(() => received[0], { what: 'the function to receive the record' });
      // Assess
      expect(record).toMatchObject({ eventName: 'ObjectCreated:Put', s3: { configurationId: 'on-spec', bucket: { name: 'fledge-specs' }, object: { key: 'checkout+api.yaml', size: 18 } } });
    } finally {
      s3.destroy();
      await aws.stop();
    }
  });
});
