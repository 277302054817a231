import { CreateTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clearFaults, getClock, getHealth, injectFault, listFaults } from '../src/control-client';
import { ControlApiError } from '../src/errors';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, eventually, s3ClientConfig } from '../src/testing/clients';

describe('fault injection', () => {
  let aws: LocalAws;
  let dynamodb: DynamoDBClient;
  let s3: S3Client;
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, timeScale: 0.01 });
    dynamodb = new DynamoDBClient(clientConfig(aws));
    s3 = new S3Client(s3ClientConfig(aws));
    await dynamodb.send(new CreateTableCommand({ TableName: 'history', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    await s3.send(new CreateBucketCommand({ Bucket: 'faulty' }));
  });
  afterEach(async () => {
    await clearFaults(aws.endpoint);
  });
  afterAll(async () => {
    dynamodb.destroy();
    s3.destroy();
    await aws.stop();
  });
  const put = (pk: string) => dynamodb.send(new PutItemCommand({ TableName: 'history', Item: { pk: { S: pk } } }));
  const failure = <T>(promise: Promise<T>) => promise.then(() => undefined, (caught: unknown) => caught);

  it('throttles DynamoDB PutItem for exactly the given number of calls, then lets it through', async () => {
    // Prepare
    await injectFault(aws.endpoint, { service: 'dynamodb', operation: 'PutItem', kind: 'throttle', count: 2 });
    // Act
    const first = await failure(put('a'));
    const second = await failure(put('a'));
    const third = await failure(put('a'));
    // Assess
    expect(first).toMatchObject({ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    expect(second).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(third).toBeUndefined();
    const item = await dynamodb.send(new GetItemCommand({ TableName: 'history', Key: { pk: { S: 'a' } } }));
    expect(item.Item?.pk?.S).toBe('a');
    expect(await listFaults(aws.endpoint)).toEqual([]);
  });

  it('throttles the DynamoDB control plane with ThrottlingException and fails with InternalServerError on serverError', async () => {
    // Prepare
    await injectFault(aws.endpoint, { service: 'dynamodb', operation: 'ListTables', kind: 'throttle', count: 1 });
    await injectFault(aws.endpoint, { service: 'dynamodb', operation: 'GetItem', kind: 'serverError', count: 1 });
    // Act
    const throttled = await failure(dynamodb.send(new ListTablesCommand({})));
    const broken = await failure(dynamodb.send(new GetItemCommand({ TableName: 'history', Key: { pk: { S: 'a' } } })));
    // Assess
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(broken).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
  });

  it('renders S3 faults with S3 names, on the chosen operation only', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'code.zip', Body: 'zip' }));
    await injectFault(aws.endpoint, { service: 's3', operation: 'GetObject', kind: 'throttle', count: 1 });
    await injectFault(aws.endpoint, { service: 's3', operation: 'GetObject', kind: 'serverError', count: 1 });
    // Act
    const unaffectedPut = await failure(s3.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'other.zip', Body: 'zip' })));
    const slowDown = await failure(s3.send(new GetObjectCommand({ Bucket: 'faulty', Key: 'code.zip' })));
    const internal = await failure(s3.send(new GetObjectCommand({ Bucket: 'faulty', Key: 'code.zip' })));
    const recovered = await s3.send(new GetObjectCommand({ Bucket: 'faulty', Key: 'code.zip' }));
    // Assess
    expect(unaffectedPut).toBeUndefined();
    expect(slowDown).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    expect(internal).toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expect(await recovered.Body!.transformToString()).toBe('zip');
  });

  it('answers any operation with a specific error code and status', async () => {
    // Prepare
    await injectFault(aws.endpoint, { service: 's3', kind: 'error', code: 'AccessDenied', status: 403, message: 'denied by test', count: 1 });
    await injectFault(aws.endpoint, { service: 'dynamodb', kind: 'error', code: 'ResourceNotFoundException', message: 'table gone', count: 1 });
    // Act
    const denied = await failure(s3.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'x', Body: 'x' })));
    const missing = await failure(put('b'));
    // Assess
    expect(denied).toMatchObject({ name: 'AccessDenied', message: 'denied by test', $metadata: { httpStatusCode: 403 } });
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: 'table gone', $metadata: { httpStatusCode: 400 } });
  });

  it('holds a call for the latency of a latency fault and then serves it normally', async () => {
    // Prepare: 150 simulated seconds are 1.5 real seconds at this time scale, ample to look while it is held
    await injectFault(aws.endpoint, { service: 'dynamodb', operation: 'PutItem', kind: 'latency', latencyMs: 150_000, count: 1 });
    let settled = false;
    // Act
    const call = failure(put('slow')).finally(() => { settled = true; });
    await eventually(async () => ((await listFaults(aws.endpoint)).length === 0 ? true : undefined), { what: 'the latency fault to be taken' });
    const settledWhileHeld = settled;
    const outcome = await call;
    // Assess
    expect(settledWhileHeld).toBe(false);
    expect(outcome).toBeUndefined();
  });

  it('lists the faults still pending with their remaining calls, and clears them', async () => {
    // Prepare
    await injectFault(aws.endpoint, { service: 'dynamodb', operation: 'Query', kind: 'throttle', count: 3 });
    // Act
    const listed = await listFaults(aws.endpoint);
    const cleared = await clearFaults(aws.endpoint);
    // Assess
    expect(listed).toEqual([{ service: 'dynamodb', operation: 'Query', kind: 'throttle', remaining: 3 }]);
    expect(cleared).toBe(1);
    expect(await listFaults(aws.endpoint)).toEqual([]);
  });

  it('refuses a bad fault with 400 and says which fields are wrong', async () => {
    // Act
    const response = await fetch(`${aws.endpoint}/_fledge/faults`, { method: 'POST', body: JSON.stringify({ service: 'dynamodb', kind: 'explode', count: 0 }) });
    const body = (await response.json()) as { error: string; problems: string[] };
    // Assess
    expect(response.status).toBe(400);
    expect(body.error).toContain('POST /_fledge/faults');
    expect(body.problems.some((problem) => problem.startsWith('kind:'))).toBe(true);
    expect(body.problems.some((problem) => problem.startsWith('count:'))).toBe(true);
  });

  it('refuses faults that cannot apply: an error without a code, an unknown service, a body that is not JSON', async () => {
    // Act
    const noCode = await failure(injectFault(aws.endpoint, { service: 's3', kind: 'error', count: 1 }));
    const unknownService = await failure(injectFault(aws.endpoint, { service: 'ec2', kind: 'throttle', count: 1 }));
    const notJson = await fetch(`${aws.endpoint}/_fledge/faults`, { method: 'POST', body: '{service:' });
    // Assess
    expect(noCode).toBeInstanceOf(ControlApiError);
    expect(noCode).toMatchObject({ status: 400, message: expect.stringContaining("code: a fault of kind 'error' needs a code") });
    expect(unknownService).toMatchObject({ status: 400, message: expect.stringContaining("no service 'ec2' is running") });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toContain('not JSON');
  });

  it('shows the simulated clock and the services that are up', async () => {
    // Act
    const clock = await getClock(aws.endpoint);
    const health = await getHealth(aws.endpoint);
    // Assess
    expect(clock.timeScale).toBe(0.01);
    expect(clock.now).toBeLessThanOrEqual(aws.clock.now());
    expect(health.services).toEqual(expect.arrayContaining(['s3', 'dynamodb']));
  });
});
