import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaService } from '../src/services/lambda';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, eventually, failure } from '../src/testing/clients';
import { functionZip } from '../src/testing/zip';

const ROLE = 'arn:aws:iam::000000000000:role/fledge-test';
/** Simulated ms PC takes to become READY here (time scale 0.001: 40 real ms). */
const READY_MS = 40_000;

describe('embedded Lambda: provisioned concurrency', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;
  let cloudwatch: CloudWatchClient;
  let counter = 0;

  /** A function with versions 1 and 2 and an alias `live` on version 1. */
  async function withVersions(): Promise<string> {
    const name = `pc-fn-${++counter}`;
    const settled = async (qualifier?: string) =>
      eventually(async () => {
        const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }));
        return c.State === 'Active' && c.LastUpdateStatus === 'Successful' ? true : undefined;
      });
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip({ 'index.mjs': 'export const handler = async () => 1;\n' }) } }));
    await settled();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: functionZip({ 'index.mjs': 'export const handler = async () => 2;\n' }) }));
    await settled();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await settled('1');
    await settled('2');
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    return name;
  }

  const status = async (name: string, qualifier: string) => (await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }))).Status;
  const ready = (name: string, qualifier: string) => eventually(async () => ((await status(name, qualifier)) === 'READY' ? true : undefined), { what: `PC on ${name}:${qualifier} READY` });

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
    aws = await startLocalAws({ port: 0, timeScale: 0.001, lambda: { updateDelayMs: 20, provisionedConcurrencyDelayMs: READY_MS, concurrentExecutions: 120 } });
    lambda = new LambdaClient(clientConfig(aws));
    cloudwatch = new CloudWatchClient(clientConfig(aws));
  });
  afterAll(async () => {
    lambda.destroy();
    cloudwatch.destroy();
    await aws.stop();
  });

  it('allocates PC on a version IN_PROGRESS first, then READY with the requested amount allocated, and lists and deletes it', async () => {
    // Prepare
    const name = await withVersions();
    // Act
    const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2', ProvisionedConcurrentExecutions: 3 }));
    await ready(name, '2');
    const got = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2' }));
    const listed = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name }));
    await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2' }));
    const gone = await failure(lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2' })));
    // Assess
    expect(put.$metadata.httpStatusCode).toBe(202);
    expect(put).toMatchObject({ Status: 'IN_PROGRESS', RequestedProvisionedConcurrentExecutions: 3, AllocatedProvisionedConcurrentExecutions: 0 });
    expect(got).toMatchObject({ Status: 'READY', RequestedProvisionedConcurrentExecutions: 3, AllocatedProvisionedConcurrentExecutions: 3, AvailableProvisionedConcurrentExecutions: 3 });
    expect(listed.ProvisionedConcurrencyConfigs?.map((c) => [c.FunctionArn?.endsWith(`:${name}:2`), c.Status])).toEqual([[true, 'READY']]);
    expect(gone.name).toBe('ProvisionedConcurrencyConfigNotFoundException');
  });

  it("refuses what Lambda refuses: $LATEST, an alias with weights, a second configuration for one version, and more than the account's unreserved concurrency allows", async () => {
    // Prepare
    const name = await withVersions();
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live', ProvisionedConcurrentExecutions: 2 }));
    // Act
    const latest = await failure(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 })));
    const twice = await failure(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: 1 })));
    const tooMuch = await failure(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2', ProvisionedConcurrentExecutions: 19 })));
    await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
    const weighted = await failure(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live', ProvisionedConcurrentExecutions: 4 })));
    const weightedDelete = await failure(lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: 'live' })));
    // Assess
    expect([latest.name, latest.$metadata.httpStatusCode]).toEqual(['InvalidParameterValueException', 400]);
    expect([twice.name, twice.$metadata.httpStatusCode]).toEqual(['ResourceConflictException', 409]);
    expect(tooMuch.name).toBe('InvalidParameterValueException');
    expect(tooMuch.message).toContain('UnreservedConcurrentExecution below its minimum value of [100]');
    expect([weighted.name, weighted.message]).toEqual(['InvalidParameterValueException', 'Alias with weights can not be used with Provisioned Concurrency']);
    expect(weightedDelete.name).toBe('InvalidParameterValueException');
    expect(await status(name, 'live')).toBeDefined();
  });

  it('counts alias invocations on a version without READY PC as spillover, and on READY PC as provisioned, per executed version', async () => {
    // Prepare: PC on version 1 READY; version 2 gets PC that is still IN_PROGRESS
    const name = await withVersions();
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: 1 }));
    await ready(name, '1');
    aws.service<LambdaService>('lambda').setProvisionedConcurrencyActivation(name, { readyMs: null });
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2', ProvisionedConcurrentExecutions: 1 }));
    await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
    // Act: one at a time, so one warm instance serves every call of a READY version
    const executed: string[] = [];
    for (let i = 0; i < 40; i += 1) executed.push((await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: '{}' }))).ExecutedVersion!);
    // Assess
    const on = (v: string) => executed.filter((e) => e === v).length;
    const dims = (v: string) => ({ FunctionName: name, Resource: `${name}:live`, ExecutedVersion: v });
    await eventually(async () => ((await metricSum('Invocations', { FunctionName: name })) === 40 ? true : undefined));
    expect(on('1')).toBeGreaterThan(0);
    expect(on('2')).toBeGreaterThan(0);
    expect(await metricSum('ProvisionedConcurrencyInvocations', dims('1'))).toBe(on('1'));
    expect(await metricSum('ProvisionedConcurrencySpilloverInvocations', dims('1'))).toBe(0);
    expect(await metricSum('ProvisionedConcurrencySpilloverInvocations', dims('2'))).toBe(on('2'));
    expect(await metricSum('ProvisionedConcurrencyInvocations', dims('2'))).toBe(0);
  });

  it("reports FAILED with Lambda's reason when the allocation fails", async () => {
    // Prepare
    const name = await withVersions();
    aws.service<LambdaService>('lambda').setProvisionedConcurrencyActivation(name, { readyMs: 1000, failure: 'FUNCTION_ERROR_INIT_FAILURE' });
    // Act
    await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2', ProvisionedConcurrentExecutions: 1 }));
    const failed = await eventually(async () => {
      const c = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '2' }));
      return c.Status === 'FAILED' ? c : undefined;
    });
    // Assess
    expect(failed.StatusReason).toBe('FUNCTION_ERROR_INIT_FAILURE');
  });
});
