import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getLog, inspect } from '../src/control-client';
import { startLocalAws, type LocalAws } from '../src/server';
import type { StepFunctionsInternal } from '../src/services/stepfunctions';
import { clientConfig, eventually, failure, s3ClientConfig } from '../src/testing/clients';
import { functionZip } from '../src/testing/zip';

const ROLE = 'arn:aws:iam::000000000000:role/async-test';
const MINUTE = 60_000;

interface Attempt { at: string; stage: 'handover' | 'run'; outcome: string; error?: string }
interface Delivery { id: string; source: string; functionName: string; status: string; attempts: Attempt[]; failure?: { condition: string; sentTo?: string; lost?: string } }

describe('asynchronous invocations in the embedded AWS', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;
  let counter = 0;
  const fresh = (label: string) => `${label}-${(counter += 1)}`;

  beforeAll(async () => {
    // One simulated minute lasts 300 real ms.
    aws = await startLocalAws({ port: 0, timeScale: 0.005, lambda: { updateDelayMs: 0 } });
    lambda = new LambdaClient(clientConfig(aws));
  });
  afterEach(() => {
    aws.faults.clear();
  });
  afterAll(async () => {
    lambda.destroy();
    await aws.stop();
  });

  /** The deliveries to one function, newest first. */
  const deliveriesTo = async (functionName: string): Promise<Delivery[]> => (await inspect<{ deliveries: Delivery[] }>(aws.endpoint, 'lambda', 'async', { function: functionName })).deliveries;
  const ended = (functionName: string, what: string) =>
    eventually(async () => {
      const [delivery] = await deliveriesTo(functionName);
      return delivery && (delivery.status === 'succeeded' || delivery.status === 'failed') ? delivery : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, what });
  const gap = (attempts: readonly Attempt[], from: number, to: number) => Date.parse(attempts[to]!.at) - Date.parse(attempts[from]!.at);

  /** An in-process function that fails its first `failures` calls, then records the events it gets. */
  function flaky(functionName: string, failures: number, onCall: (call: number) => void = () => undefined) {
    const received: unknown[] = [];
    let calls = 0;
    aws.services.lambda.registerInProcessFunction({
      functionName,
      handler: async (event) => {
        calls += 1;
        onCall(calls);
        if (calls <= failures) throw new Error(`failure ${calls} of ${failures}`);
        received.push(event);
        return { ok: true };
      },
    });
    return { received, calls: () => calls };
  }

  it('retries a function error twice, one then two simulated minutes apart, then sends the invocation record to the on-failure destination', async () => {
    // Prepare: a function that always fails, whose failures go to an SNS topic mailed to an address.
    const name = fresh('always-fails');
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: 900, Code: { ZipFile: functionZip({ 'index.mjs': 'export const handler = async () => { throw new TypeError("no such order"); };\n' }) } }));
    const sns = new SNSClient(clientConfig(aws));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-failures` }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: `${name}@example.com` }));
    sns.destroy();
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnFailure: { Destination: TopicArn } } }));

    // Act
    const accepted = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: JSON.stringify({ order: 42 }) }));
    const delivery = await ended(name, 'the retries to run out');
    const mail = await eventually(async () => {
      const { messages } = await (await fetch(`${aws.endpoint}/_fledge/sns/outbox?to=${encodeURIComponent(`${name}@example.com`)}`)).json() as { messages: { body: string }[] };
      return messages[0];
    }, { what: 'the invocation record in the mail' });

    // Assess
    expect(accepted.StatusCode).toBe(202);
    expect(delivery.attempts.map((attempt) => `${attempt.stage}:${attempt.outcome}`)).toEqual(['run:functionError', 'run:functionError', 'run:functionError']);
    expect(delivery.attempts[0]!.error).toBe('TypeError: no such order');
    expect(gap(delivery.attempts, 0, 1)).toBeGreaterThanOrEqual(MINUTE);
    expect(gap(delivery.attempts, 1, 2)).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(delivery).toMatchObject({ source: 'api', status: 'failed', failure: { condition: 'RetriesExhausted', sentTo: TopicArn } });
    const record = JSON.parse(mail.body.split('\n\n--\n')[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { requestId: delivery.id, functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { order: 42 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'TypeError', errorMessage: 'no such order' },
    });
    const logged = await getLog(aws.endpoint, delivery.id);
    expect(logged.map((line) => line.message)).toEqual([
      expect.stringMatching(/run attempt 1 failed in the function \(TypeError: no such order\); Lambda retries in 60 s/),
      expect.stringMatching(/run attempt 2 failed in the function \(TypeError: no such order\); Lambda retries in 120 s/),
      expect.stringMatching(/run attempt 3 failed in the function/),
      expect.stringMatching(/failed after 3 runs \(RetriesExhausted: .*\); sent to arn:aws:sns:/),
    ]);
  });

  it('runs an event once with MaximumRetryAttempts 0, and the retry of a function that failed once succeeds', async () => {
    // Prepare
    const once = fresh('no-retries');
    const onceFn = flaky(once, 1);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: once, MaximumRetryAttempts: 0 }));
    const twice = fresh('fails-once');
    const twiceFn = flaky(twice, 1);

    // Act
    await lambda.send(new InvokeCommand({ FunctionName: once, InvocationType: 'Event', Payload: '{"n":1}' }));
    await lambda.send(new InvokeCommand({ FunctionName: twice, InvocationType: 'Event', Payload: '{"n":2}' }));
    const dropped = await ended(once, 'the event without retries to end');
    const retried = await ended(twice, 'the retried event to end');

    // Assess
    expect(dropped).toMatchObject({ status: 'failed', failure: { condition: 'RetriesExhausted', lost: expect.stringContaining('the event is lost') } });
    expect(onceFn.calls()).toBe(1);
    expect(retried.attempts.map((attempt) => attempt.outcome)).toEqual(['functionError', 'succeeded']);
    expect(twiceFn.received).toEqual([{ n: 2 }]);
  });

  it('retries a queued event that is throttled when it runs after a second, not a minute', async () => {
    // Prepare: the first run fails and leaves a throttle for the second, as a busy account would.
    const name = fresh('throttled-run');
    const fn = flaky(name, 1, (call) => {
      if (call === 1) aws.faults.add({ service: 'lambda', operation: 'Invoke', kind: 'throttle', count: 1 });
    });

    // Act
    await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: '{"n":3}' }));
    const delivery = await ended(name, 'the throttled event to run');

    // Assess
    expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(['functionError', 'throttled', 'succeeded']);
    expect(delivery.attempts[1]!.error).toMatch(/^TooManyRequestsException: /);
    expect(gap(delivery.attempts, 1, 2)).toBeGreaterThanOrEqual(1000);
    expect(gap(delivery.attempts, 1, 2)).toBeLessThan(MINUTE);
    expect(fn.received).toEqual([{ n: 3 }]);
  });

  it('has S3 retry a throttled Invoke until Lambda takes the notification, which then runs once', async () => {
    // Prepare
    const name = fresh('s3-target');
    const fn = flaky(name, 0);
    const s3 = new S3Client(s3ClientConfig(aws));
    const bucket = fresh('drops');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: 'drop', LambdaFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, Events: ['s3:ObjectCreated:*'] }] } }));
    aws.faults.add({ service: 'lambda', operation: 'Invoke', kind: 'throttle', count: 2 });

    // Act
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'deployments/spec.yaml', Body: 'alias: live' }));
    const delivery = await ended(name, 'the notification to run');
    s3.destroy();

    // Assess
    expect(delivery.source).toBe('s3');
    expect(delivery.attempts.map((attempt) => `${attempt.stage}:${attempt.outcome}`)).toEqual(['handover:throttled', 'handover:throttled', 'handover:accepted', 'run:succeeded']);
    expect(fn.received).toHaveLength(1);
    expect(JSON.stringify(fn.received[0])).toContain('deployments/spec.yaml');
    expect((await getLog(aws.endpoint, delivery.id)).map((line) => line.message)).toEqual([
      expect.stringMatching(/from S3 to .*: Invoke attempt 1 throttled \(TooManyRequestsException: .*\); S3 retries in/),
      expect.stringMatching(/from S3 to .*: Invoke attempt 2 throttled/),
    ]);
  });

  it('retries an execution status change whose function fails, so the safety net gets the event again', async () => {
    // Prepare
    const name = fresh('status-listener');
    const fn = flaky(name, 1);
    const sfn = new SFNClient(clientConfig(aws));
    const definition = JSON.stringify({ StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Broken', Cause: 'on purpose' } } });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: fresh('machine'), definition, roleArn: ROLE }));
    const unsubscribe = aws.service<{ internal: StepFunctionsInternal } & ReturnType<LocalAws['service']>>('states').internal.subscribeStatusChanges({ functionName: name, statuses: ['FAILED'], stateMachineArn });

    // Act
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'fails' }));
    const delivery = await ended(name, 'the status change to be delivered');
    unsubscribe();
    sfn.destroy();

    // Assess
    expect(delivery).toMatchObject({ source: 'events', status: 'succeeded' });
    expect(delivery.attempts.map((attempt) => `${attempt.stage}:${attempt.outcome}`)).toEqual(['handover:accepted', 'run:functionError', 'run:succeeded']);
    expect(fn.received).toEqual([expect.objectContaining({ 'detail-type': 'Step Functions Execution Status Change', detail: expect.objectContaining({ status: 'FAILED', error: 'Broken' }) })]);
  });

  it('refuses event invoke settings outside AWS\'s limits, naming the member, and keeps what was there', async () => {
    // Prepare
    const name = fresh('configured');
    flaky(name, 0);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 }));

    // Act
    const tooManyRetries = await failure(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 3 })));
    const tooYoung = await failure(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 59 })));
    const notAnArn = await failure(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnFailure: { Destination: 'my-queue' } } })));
    const bucketOnSuccess = await failure(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: 'arn:aws:s3:::records' } } })));
    const kept = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }));
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }));
    const gone = await failure(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })));

    // Assess
    expect(tooManyRetries).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2"), $metadata: { httpStatusCode: 400 } });
    expect(tooYoung).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60") });
    expect(notAnArn).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("'destinationConfig.onFailure.destination'") });
    expect(bucketOnSuccess).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('DestinationConfig.OnSuccess.Destination') });
    expect(kept).toMatchObject({ FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`, MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 });
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('sends an event it could not deliver to the function\'s dead-letter topic when it ages out', async () => {
    // Prepare: a two-minute maximum age, and a first run that fails and leaves every later run throttled.
    const name = fresh('ages-out');
    const fn = flaky(name, 1, (call) => {
      if (call === 1) aws.faults.add({ service: 'lambda', operation: 'Invoke', kind: 'throttle', count: 1000 });
    });
    const sns = new SNSClient(clientConfig(aws));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-dlq` }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: `${name}@example.com` }));
    sns.destroy();
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: TopicArn } }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 120 }));

    // Act
    await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: '{"lost":false}' }));
    const delivery = await ended(name, 'the event to age out');
    const mail = await eventually(async () => {
      const { messages } = await (await fetch(`${aws.endpoint}/_fledge/sns/outbox?to=${encodeURIComponent(`${name}@example.com`)}`)).json() as { messages: { body: string }[] };
      return messages[0];
    }, { what: 'the event in the dead-letter mail' });

    // Assess
    expect(delivery).toMatchObject({ status: 'failed', failure: { condition: 'EventAgeExceeded', sentTo: TopicArn } });
    expect(delivery.attempts[0]!.outcome).toBe('functionError');
    expect(delivery.attempts.slice(1).map((attempt) => attempt.outcome)).toEqual(expect.arrayContaining(['throttled']));
    expect(delivery.attempts.slice(1).every((attempt) => attempt.outcome === 'throttled')).toBe(true);
    expect(Date.parse(delivery.attempts.at(-1)!.at) - Date.parse(delivery.attempts[0]!.at)).toBeLessThanOrEqual(2 * MINUTE);
    expect(mail.body.startsWith('{"lost":false}')).toBe(true);
    expect(fn.received).toEqual([]);
  });
});

describe('asynchronous invocations across a restart of the embedded AWS', () => {
  it('resumes the retries of an accepted event after the restart, with the attempts made before it', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-async-'));
    const name = 'resumed';
    let calls = 0;
    const register = (aws: LocalAws, fails: boolean) =>
      aws.services.lambda.registerInProcessFunction({ functionName: name, handler: async () => {
        calls += 1;
        if (fails) throw new Error('not yet');
        return 'done';
      } });
    const first = await startLocalAws({ port: 0, timeScale: 0.005, dataDir });
    register(first, true);
    const client = new LambdaClient(clientConfig(first));
    await client.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: '{"attempt":"kept"}' }));
    client.destroy();
    await eventually(() => (calls === 1 ? true : undefined), { what: 'the first run' });
    await first.stop();

    // Act
    const second = await startLocalAws({ port: 0, timeScale: 0.005, dataDir });
    register(second, false);
    const delivery = await eventually(async () => {
      const [found] = (await inspect<{ deliveries: Delivery[] }>(second.endpoint, 'lambda', 'async', { function: name })).deliveries;
      return found?.status === 'succeeded' ? found : undefined;
    }, { timeoutMs: 20_000, what: 'the retry after the restart' });
    await second.stop();
    await rm(dataDir, { recursive: true, force: true });

    // Assess
    expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(['functionError', 'succeeded']);
    expect(calls).toBe(2);
  });

  it('makes a run that the stop cut short again at the next start, without counting it as a function error', async () => {
    // Prepare: a function whose first run hangs (it leaves a marker file), and whose next run returns.
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-async-'));
    const marker = join(dataDir, 'first-run-started');
    const first = await startLocalAws({ port: 0, timeScale: 0.005, dataDir, lambda: { updateDelayMs: 0 } });
    const client = new LambdaClient(clientConfig(first));
    const code = "import { existsSync, writeFileSync } from 'node:fs';\nexport const handler = async (event) => { if (existsSync(event.marker)) return 'second run'; writeFileSync(event.marker, ''); await new Promise(() => undefined); };\n";
    await client.send(new CreateFunctionCommand({ FunctionName: 'hangs-once', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: 900, Code: { ZipFile: functionZip({ 'index.mjs': code }) } }));
    await client.send(new InvokeCommand({ FunctionName: 'hangs-once', InvocationType: 'Event', Payload: JSON.stringify({ marker }) }));
    client.destroy();
    await eventually(async () => ((await inspect<{ deliveries: Delivery[] }>(first.endpoint, 'lambda', 'async')).deliveries[0]?.status === 'running' && existsSync(marker) ? true : undefined), { what: 'the first run to hang' });

    // Act
    await first.stop();
    const second = await startLocalAws({ port: 0, timeScale: 0.005, dataDir, lambda: { updateDelayMs: 0 } });
    const delivery = await eventually(async () => {
      const [found] = (await inspect<{ deliveries: Delivery[] }>(second.endpoint, 'lambda', 'async', { function: 'hangs-once' })).deliveries;
      return found?.status === 'succeeded' ? found : undefined;
    }, { timeoutMs: 20_000, what: 'the run made again after the restart' });
    await second.stop();
    await rm(dataDir, { recursive: true, force: true });

    // Assess
    expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(['interrupted', 'succeeded']);
  });
});
