import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, eventually, failure } from '../src/testing/clients';
import { functionZip } from '../src/testing/zip';

const ROLE = 'arn:aws:iam::000000000000:role/fledge-test';
const OTHER_ROLE = 'arn:aws:iam::000000000000:role/other-team';

async function settled(lambda: LambdaClient, name: string, qualifier?: string): Promise<void> {
  await eventually(async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }));
    return config.State === 'Active' && config.LastUpdateStatus === 'Successful' ? true : undefined;
  }, { what: `${name}${qualifier ? `:${qualifier}` : ''} to become Active` });
}

/** A handler answering which generation of the code ran; `fail` makes it throw like a broken release. */
const generation = (n: number, fail = false) =>
  functionZip({
    'index.mjs': fail
      ? `export const handler = async () => { const e = new Error('generation ${n} is broken'); e.name = 'CheckoutError'; throw e; };\n`
      : `export const handler = async () => ({ generation: ${n} });\n`,
  });

describe('embedded Lambda: aliases and weighted routing', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;
  let cloudwatch: CloudWatchClient;
  let counter = 0;
  const fresh = (): string => `alias-fn-${++counter}`;

  /** A function with versions 1..n, generation k in version k; versions in `failing` throw. */
  async function withVersions(count: number, options: { failing?: number[]; roles?: Record<number, string> } = {}): Promise<string> {
    const name = fresh();
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: options.roles?.[1] ?? ROLE, Code: { ZipFile: generation(1, options.failing?.includes(1)) } }));
    await settled(lambda, name);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    for (let v = 2; v <= count; v += 1) {
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: generation(v, options.failing?.includes(v)) }));
      await settled(lambda, name);
      if (options.roles?.[v]) {
        await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Role: options.roles[v] }));
        await settled(lambda, name);
      }
      await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    }
    for (let v = 1; v <= count; v += 1) await settled(lambda, name, String(v));
    return name;
  }

  /** Sum of an AWS/Lambda metric over the last hour of simulated time, for an exact dimension set. */
  async function metricSum(metricName: string, dimensions: Record<string, string>): Promise<number> {
    const now = aws.clock.now();
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(now - 3_600_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: 60, Stat: 'Sum' } }],
    }));
    return (result.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
  }

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, lambda: { updateDelayMs: 20 } });
    lambda = new LambdaClient(clientConfig(aws));
    cloudwatch = new CloudWatchClient(clientConfig(aws));
  });
  afterAll(async () => {
    lambda.destroy();
    cloudwatch.destroy();
    await aws.stop();
  });

  it('routes about 10% of 1,000 alias invocations to the additional version, by X-Amz-Executed-Version', async () => {
    // Prepare
    const name = await withVersions(2);
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
    // Act
    const executed: string[] = [];
    for (let batch = 0; batch < 20; batch += 1) {
      const results = await Promise.all(Array.from({ length: 50 }, () => lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: '{}' }))));
      for (const result of results) {
        const body = JSON.parse(Buffer.from(result.Payload!).toString()) as { generation: number };
        expect(String(body.generation)).toBe(result.ExecutedVersion);
        executed.push(result.ExecutedVersion!);
      }
    }
    // Assess: binomial(1000, 0.1) has sd 9.49; 4.5 sd either side.
    const second = executed.filter((v) => v === '2').length;
    expect(executed).toHaveLength(1000);
    expect(executed.every((v) => v === '1' || v === '2')).toBe(true);
    expect(second).toBeGreaterThanOrEqual(Math.floor(100 - 4.5 * Math.sqrt(1000 * 0.1 * 0.9)));
    expect(second).toBeLessThanOrEqual(Math.ceil(100 + 4.5 * Math.sqrt(1000 * 0.1 * 0.9)));
    expect(await metricSum('Invocations', { FunctionName: name })).toBe(1000);
    expect(await metricSum('Invocations', { FunctionName: name, Resource: `${name}:live` })).toBe(1000);
    expect(await metricSum('Invocations', { FunctionName: name, Resource: `${name}:live`, ExecutedVersion: '2' })).toBe(second);
    expect(await metricSum('Invocations', { FunctionName: name, Resource: `${name}:live`, ExecutedVersion: '1' })).toBe(1000 - second);
  });

  it('shows Errors for the version that throws, under its ExecutedVersion, with AWS Node.js error payload', async () => {
    // Prepare
    const name = await withVersions(2, { failing: [2] });
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
    // Act
    const results = [];
    for (let i = 0; i < 40; i += 1) results.push(await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live' })));
    // Assess
    const failed = results.filter((r) => r.ExecutedVersion === '2');
    const fine = results.filter((r) => r.ExecutedVersion === '1');
    expect(failed.length).toBeGreaterThan(0);
    expect(fine.length).toBeGreaterThan(0);
    for (const result of failed) {
      expect(result.FunctionError).toBe('Unhandled');
      expect(result.StatusCode).toBe(200);
      const payload = JSON.parse(Buffer.from(result.Payload!).toString()) as { errorType: string; errorMessage: string; trace: string[] };
      expect(payload.errorType).toBe('CheckoutError');
      expect(payload.errorMessage).toBe('generation 2 is broken');
      expect(payload.trace[0]).toBe('CheckoutError: generation 2 is broken');
    }
    for (const result of fine) expect(result.FunctionError).toBeUndefined();
    expect(await metricSum('Errors', { FunctionName: name, Resource: `${name}:live`, ExecutedVersion: '2' })).toBe(failed.length);
    expect(await metricSum('Errors', { FunctionName: name, Resource: `${name}:live`, ExecutedVersion: '1' })).toBe(0);
    expect(await metricSum('Errors', { FunctionName: name })).toBe(failed.length);
  });

  it('refuses routing rules AWS refuses, with AWS error names', async () => {
    // Prepare
    const name = await withVersions(3, { roles: { 3: OTHER_ROLE } });
    const alias = (FunctionVersion: string, weights: Record<string, number>) =>
      failure(lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'bad', FunctionVersion, RoutingConfig: { AdditionalVersionWeights: weights } })));
    // Act
    const twoAdditional = await alias('1', { '2': 0.1, '3': 0.1 });
    const overOne = await alias('1', { '2': 1.5 });
    const negative = await alias('1', { '2': -0.1 });
    const latestPrimary = await alias('$LATEST', { '2': 0.1 });
    const latestAdditional = await alias('1', { $LATEST: 0.1 });
    const samePrimary = await alias('1', { '1': 0.1 });
    const missing = await alias('1', { '9': 0.1 });
    const otherRole = await alias('2', { '3': 0.1 });
    const badName = await failure(lambda.send(new CreateAliasCommand({ FunctionName: name, Name: '2024', FunctionVersion: '1' })));
    // Assess
    expect(twoAdditional).toMatchObject({ name: 'InvalidParameterValueException', message: 'Number of items in AdditionalVersionWeights cannot be greater than 1' });
    expect(overOne).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(negative.name).toBe('ValidationException');
    expect(latestPrimary).toMatchObject({ name: 'InvalidParameterValueException', message: '$LATEST is not supported for an alias pointing to more than 1 version' });
    expect(latestAdditional.name).toBe('ValidationException');
    expect(samePrimary).toMatchObject({ name: 'InvalidParameterValueException', message: 'Invalid function version 1. Function version 1 is already included in routing configuration.' });
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: `Function not found: arn:aws:lambda:us-east-1:000000000000:function:${name}:9` });
    expect(otherRole).toMatchObject({ name: 'InvalidParameterValueException', message: 'Specified versions must be associated with the same execution role' });
    expect(badName.name).toBe('ValidationException');
  });

  it('shifts, guards with RevisionId and promotes an alias; lists and deletes aliases', async () => {
    // Prepare
    const name = await withVersions(2);
    const created = await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', Description: 'prod' }));
    // Act
    const shifted = await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } }, RevisionId: created.RevisionId }));
    const stale = await failure(lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2', RevisionId: created.RevisionId })));
    const promoted = await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: shifted.RevisionId }));
    const got = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
    const throughAlias = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${name}:live` }));
    const duplicate = await failure(lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' })));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'old', FunctionVersion: '1' }));
    const onTwo = await lambda.send(new ListAliasesCommand({ FunctionName: name, FunctionVersion: '2' }));
    await lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: 'old' }));
    const missing = await failure(lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'old' })));
    const all = await lambda.send(new ListAliasesCommand({ FunctionName: name }));
    // Assess
    expect(created).toMatchObject({ AliasArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:live`, FunctionVersion: '1', Description: 'prod' });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(shifted.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.25 });
    expect(shifted.RevisionId).not.toBe(created.RevisionId);
    expect(stale).toMatchObject({ name: 'PreconditionFailedException', $metadata: { httpStatusCode: 412 } });
    expect(promoted.FunctionVersion).toBe('2');
    expect(promoted.RoutingConfig).toBeUndefined();
    expect(got).toMatchObject({ FunctionVersion: '2', Description: 'prod', RevisionId: promoted.RevisionId });
    expect(throughAlias).toMatchObject({ Version: '2', FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:live` });
    expect(duplicate).toMatchObject({ name: 'ResourceConflictException', message: `Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:${name}:live` });
    expect(onTwo.Aliases?.map((a) => a.Name)).toEqual(['live']);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: `Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:${name}:old` });
    expect(all.Aliases?.map((a) => a.Name)).toEqual(['live']);
  });

  it('refuses to split an alias between versions with different dead-letter targets, leaving it as it was', async () => {
    // Prepare: version 2 sends failed asynchronous calls to a queue, version 1 nowhere.
    const name = await withVersions(1);
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' } }));
    await settled(lambda, name);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await settled(lambda, name, '2');
    const before = await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));

    // Act
    const refused = await failure(lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { 2: 0.1 } } })));
    const moved = await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '2', RevisionId: before.RevisionId }));

    // Assess: refused while split; moving the alias wholly is allowed.
    expect(refused).toMatchObject({ name: 'InvalidParameterValueException', message: 'Specified versions must be associated with the same dead-letter queue configuration' });
    expect(moved).toMatchObject({ FunctionVersion: '2' });
    expect(moved.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });
});
