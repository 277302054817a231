import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, s3ClientConfig } from '../src/testing/clients';

describe('embedded AWS persistence', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const start = async (dataDir?: string): Promise<LocalAws> => {
    const aws = await startLocalAws({ port: 0, dataDir });
    cleanups.push(() => aws.stop());
    return aws;
  };

  it('keeps S3 objects, bucket notifications and DynamoDB items across a restart on the same data directory', async () => {
    // Prepare
    const dataDir = join(await mkdtemp(join(tmpdir(), 'fledge-persist-')), 'state');
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await start(dataDir);
    const s3 = new S3Client(s3ClientConfig(first));
    const dynamodb = new DynamoDBClient(clientConfig(first));
    await s3.send(new CreateBucketCommand({ Bucket: 'keep' }));
    await s3.send(new PutObjectCommand({ Bucket: 'keep', Key: 'spec.yaml', Body: 'function: checkout' }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'keep', NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: 'n1', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f', Events: ['s3:ObjectCreated:*'] }] } }));
    await dynamodb.send(new CreateTableCommand({ TableName: 'history', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    await dynamodb.send(new PutItemCommand({ TableName: 'history', Item: { pk: { S: 'deployment#1' }, status: { S: 'SUCCEEDED' } } }));
    await first.stop();
    // Act
    const second = await start(dataDir);
    const s3Again = new S3Client(s3ClientConfig(second));
    const dynamodbAgain = new DynamoDBClient(clientConfig(second));
    const object = await s3Again.send(new GetObjectCommand({ Bucket: 'keep', Key: 'spec.yaml' }));
    const notification = await s3Again.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'keep' }));
    const item = await dynamodbAgain.send(new GetItemCommand({ TableName: 'history', Key: { pk: { S: 'deployment#1' } } }));
    // Assess
    expect(await object.Body!.transformToString()).toBe('function: checkout');
    expect(notification.LambdaFunctionConfigurations?.map((c) => c.Id)).toEqual(['n1']);
    expect(item.Item?.status?.S).toBe('SUCCEEDED');
    expect((await readdir(dataDir)).sort()).toEqual(expect.arrayContaining(['dynamodb', 's3']));
  });

  it('starts empty and leaves no S3 directory behind without a data directory', async () => {
    // Prepare
    const first = await start();
    const s3 = new S3Client(s3ClientConfig(first));
    await s3.send(new CreateBucketCommand({ Bucket: 'ephemeral' }));
    await first.stop();
    // Act
    const second = await start();
    const error = await new S3Client(s3ClientConfig(second)).send(new GetObjectCommand({ Bucket: 'ephemeral', Key: 'x' })).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'NoSuchBucket' });
    expect(second.dataDir).toBeUndefined();
  });

  it('refuses a second embedded AWS on a data directory in use, saying so, and leaves the first one working', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-persist-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await start(dataDir);
    // Act
    const error = await startLocalAws({ port: 0, dataDir }).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'LocalAwsStartError', message: expect.stringContaining('in use by another process') });
    const tables = await new DynamoDBClient(clientConfig(first)).send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual([]);
  });

  it('refuses to start on a data directory it cannot create, saying which', async () => {
    // Prepare: a path below a regular file can never be a directory
    const parent = await mkdtemp(join(tmpdir(), 'fledge-persist-'));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    await writeFile(join(parent, 'a-file'), '');
    const dataDir = join(parent, 'a-file', 'state');
    // Act
    const error = await startLocalAws({ port: 0, dataDir }).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'LocalAwsStartError', message: expect.stringContaining(dataDir) });
  });
});
