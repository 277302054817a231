import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand, type CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import type { LambdaService } from '../src/services/lambda';
import { clientConfig, eventually, failure } from '../src/testing/clients';
import { functionZip } from '../src/testing/zip';

const ROLE = 'arn:aws:iam::000000000000:role/fledge-test';

const json = (payload: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString());

/** A domain error the way fledge's handlers name theirs, so Step Functions can match on it. */
class AliasDriftError extends Error {
  override readonly name = 'AliasDriftError';
}

describe('embedded Lambda: invoking real code', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;
  let counter = 0;

  /** Creates a function from inline sources and waits until it is Active. */
  async function deploy(files: Record<string, string>, extra: Partial<CreateFunctionCommandInput> = {}): Promise<string> {
    const name = `invoke-fn-${++counter}`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip(files) }, ...extra }));
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State === 'Active' ? true : undefined), { what: `${name} Active` });
    return name;
  }

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, lambda: { updateDelayMs: 20 } });
    lambda = new LambdaClient(clientConfig(aws));
  });
  afterAll(async () => {
    lambda.destroy();
    await aws.stop();
  });

  it('keeps a warm execution environment with its own environment variables, isolated from the host', async () => {
    // Prepare
    process.env.FLEDGE_HOST_SECRET = 'host-only';
    const name = await deploy(
      { 'index.mjs': 'let calls = 0;\nexport const handler = async (event, context) => ({ calls: ++calls, stage: process.env.STAGE, host: process.env.FLEDGE_HOST_SECRET ?? null, fn: process.env.AWS_LAMBDA_FUNCTION_NAME, arn: context.invokedFunctionArn, left: context.getRemainingTimeInMillis() > 0, event });\n' },
      { Environment: { Variables: { STAGE: 'canary' } } },
    );
    // Act
    const first = json((await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ n: 1 }) }))).Payload);
    const second = json((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload);
    // Assess
    expect(first).toEqual({ calls: 1, stage: 'canary', host: null, fn: name, arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, left: true, event: { n: 1 } });
    expect(second).toMatchObject({ calls: 2, event: {} });
    delete process.env.FLEDGE_HOST_SECRET;
  });

  it('runs CommonJS .js and .cjs handlers, nested handler paths and callback handlers', async () => {
    // Prepare
    const cjs = await deploy({ 'index.js': 'exports.handler = async (e) => ({ kind: "cjs", e });' });
    const nested = await deploy({ 'src/app.cjs': 'module.exports = { handlers: { main: (e, c, callback) => callback(null, { kind: "callback" }) } };' }, { Handler: 'src/app.handlers.main' });
    const esmJs = await deploy({ 'package.json': '{"type":"module"}', 'index.js': 'export const handler = async () => "esm";' });
    // Act
    const a = json((await lambda.send(new InvokeCommand({ FunctionName: cjs, Payload: '[1,2]' }))).Payload);
    const b = json((await lambda.send(new InvokeCommand({ FunctionName: nested }))).Payload);
    const c = json((await lambda.send(new InvokeCommand({ FunctionName: esmJs }))).Payload);
    // Assess
    expect(a).toEqual({ kind: 'cjs', e: [1, 2] });
    expect(b).toEqual({ kind: 'callback' });
    expect(c).toBe('esm');
  });

  it('reports a missing handler or module as Lambda runtime errors', async () => {
    // Prepare
    const noExport = await deploy({ 'index.mjs': 'export const other = 1;' });
    const noModule = await deploy({ 'index.mjs': 'export const handler = 1;' }, { Handler: 'missing.handler' });
    // Act
    const a = await lambda.send(new InvokeCommand({ FunctionName: noExport }));
    const b = await lambda.send(new InvokeCommand({ FunctionName: noModule }));
    // Assess
    expect(a.FunctionError).toBe('Unhandled');
    expect(json(a.Payload)).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported' });
    expect(json(b.Payload)).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: expect.stringContaining("Cannot find module 'missing'") });
  });

  it('reports a syntax error at load and a thrown non-Error the way the Node.js runtime does', async () => {
    // Prepare
    const broken = await deploy({ 'index.mjs': 'export const handler = async () => { return 1 +; };' });
    const throwsString = await deploy({ 'index.mjs': 'export const handler = async () => { throw "plain text"; };' });
    // Act
    const a = await lambda.send(new InvokeCommand({ FunctionName: broken }));
    const b = await lambda.send(new InvokeCommand({ FunctionName: throwsString }));
    // Assess
    expect(a.FunctionError).toBe('Unhandled');
    expect(json(a.Payload)).toMatchObject({ errorType: 'Runtime.UserCodeSyntaxError', errorMessage: expect.stringContaining('SyntaxError') });
    expect(b.FunctionError).toBe('Unhandled');
    expect(json(b.Payload)).toEqual({ errorType: 'string', errorMessage: 'plain text', trace: [] });
  });

  it('times out a slow invocation with Sandbox.Timedout and replaces its environment', async () => {
    // Prepare
    const name = await deploy({ 'index.mjs': 'let calls = 0;\nexport const handler = async (event) => { calls += 1; if (event.hang) await new Promise(() => setInterval(() => {}, 1000)); return { calls }; };' }, { Timeout: 1 });
    await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
    // Act
    const timedOut = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ hang: true }), LogType: 'Tail' }));
    const after = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
    // Assess
    expect(timedOut.FunctionError).toBe('Unhandled');
    expect(json(timedOut.Payload)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/) });
    expect(Buffer.from(timedOut.LogResult!, 'base64').toString()).toContain('Task timed out after 1.00 seconds');
    expect(json(after.Payload)).toEqual({ calls: 1 });
  });

  it('returns the tail of the console output with LogType Tail', async () => {
    // Prepare
    const name = await deploy({ 'index.mjs': 'export const handler = async () => { console.log("hello %s", "log"); console.error(new Error("oops").message); return 1; };' });
    // Act
    const result = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
    const quiet = await lambda.send(new InvokeCommand({ FunctionName: name }));
    // Assess
    const log = Buffer.from(result.LogResult!, 'base64').toString();
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(log).toMatch(/\tINFO\thello log\n/);
    expect(log).toMatch(/\tERROR\toops\n/);
    expect(log).toMatch(/END RequestId: .*\nREPORT RequestId: .*\tDuration: [\d.]+ ms/);
    expect(quiet.LogResult).toBeUndefined();
  });

  it("measures Duration as the handler's own run: a cold start's init is its Init Duration, never part of Duration", async () => {
    // Prepare: loading the module takes at least 400 ms; the handler returns at once.
    const name = await deploy({ 'index.mjs': 'await new Promise((resolve) => setTimeout(resolve, 400));\nexport const handler = async () => "ok";\n' });
    const cloudwatch = new CloudWatchClient(clientConfig(aws));
    const report = (log: string | undefined) => /REPORT RequestId: \S+\tDuration: ([\d.]+) ms\t.*?(?:Init Duration: ([\d.]+) ms\t)?\n/.exec(Buffer.from(log ?? '', 'base64').toString());
    // Act
    const cold = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
    const warm = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
    const now = aws.clock.now();
    const durations = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(now - 600_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: ['Maximum', 'SampleCount'].map((stat) => ({ Id: stat.toLowerCase(), MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: name }] }, Period: 60, Stat: stat } })),
    }));
    // Assess: the 400 ms are the cold start's Init Duration, in neither invocation's Duration.
    const [coldReport, warmReport] = [report(cold.LogResult), report(warm.LogResult)];
    expect(Number(coldReport?.[1])).toBeLessThan(200);
    expect(Number(coldReport?.[2])).toBeGreaterThanOrEqual(400);
    expect(warmReport?.[2]).toBeUndefined();
    expect(Number(warmReport?.[1])).toBeLessThan(200);
    const values = (id: string) => durations.MetricDataResults?.find((result) => result.Id === id)?.Values ?? [];
    expect(values('samplecount').reduce((a, b) => a + b, 0)).toBe(2);
    expect(Math.max(...values('maximum'))).toBeLessThan(200);
    cloudwatch.destroy();
  });

  it('answers 202 to an Event invocation and runs it, 204 to a DryRun, and refuses a payload that is not JSON', async () => {
    // Prepare
    const sink = `sink-${counter}`;
    const received: unknown[] = [];
    aws.services.lambda.registerInProcessFunction({ functionName: sink, handler: async (event) => { received.push(event); return null; } });
    const name = await deploy({ 'index.mjs': 'export const handler = async () => "unused";' });
    // Act
    const event = await lambda.send(new InvokeCommand({ FunctionName: sink, InvocationType: 'Event', Payload: JSON.stringify({ async: true }) }));
    const dryRun = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'DryRun' }));
    const notJson = await failure(lambda.send(new InvokeCommand({ FunctionName: name, Payload: 'not json' })));
    // Assess
    expect(event.StatusCode).toBe(202);
    await eventually(() => (received.length === 1 ? true : undefined), { what: 'the asynchronous invocation' });
    expect(received).toEqual([{ async: true }]);
    expect(dryRun.StatusCode).toBe(204);
    expect(notJson).toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } });
  });

  it('runs an in-process function registered by fledge, with the thrown error name as errorType', async () => {
    // Prepare
    aws.services.lambda.registerInProcessFunction({
      functionName: 'fledge-shift',
      timeout: 30,
      handler: async (event, context) => {
        const input = event as { drift?: boolean; step: number };
        if (input.drift) throw new AliasDriftError('alias live changed since the deployment read it');
        return { shifted: input.step, by: context.functionName };
      },
    });
    // Act
    const config = await lambda.send(new GetFunctionCommand({ FunctionName: 'fledge-shift' }));
    const ok = await lambda.send(new InvokeCommand({ FunctionName: 'fledge-shift', Payload: JSON.stringify({ step: 2 }) }));
    const drift = await lambda.send(new InvokeCommand({ FunctionName: 'fledge-shift', Payload: JSON.stringify({ drift: true, step: 3 }) }));
    const internal = await aws.services.lambda.invoke('arn:aws:lambda:us-east-1:000000000000:function:fledge-shift', JSON.stringify({ step: 4 }));
    // Assess
    expect(config.Configuration).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 30, State: 'Active' });
    expect(json(ok.Payload)).toEqual({ shifted: 2, by: 'fledge-shift' });
    expect(ok.FunctionError).toBeUndefined();
    expect(drift.FunctionError).toBe('Unhandled');
    expect(json(drift.Payload)).toMatchObject({ errorType: 'AliasDriftError', errorMessage: 'alias live changed since the deployment read it', trace: expect.arrayContaining([expect.stringContaining('AliasDriftError')]) });
    expect(internal).toMatchObject({ statusCode: 200, executedVersion: '$LATEST' });
    expect(JSON.parse(internal.payload.toString())).toEqual({ shifted: 4, by: 'fledge-shift' });
  });

  it('throttles Invoke as injected, twice, then succeeds; records Throttles', async () => {
    // Prepare
    const name = await deploy({ 'index.mjs': 'export const handler = async () => "ok";' });
    aws.faults.add({ service: 'lambda', operation: 'Invoke', kind: 'throttle', count: 2 });
    const cloudwatch = new CloudWatchClient(clientConfig(aws));
    // Act
    const first = await failure(lambda.send(new InvokeCommand({ FunctionName: name })));
    const second = await failure(lambda.send(new InvokeCommand({ FunctionName: name })));
    const third = await lambda.send(new InvokeCommand({ FunctionName: name }));
    const now = aws.clock.now();
    const throttles = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(now - 600_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [{ Id: 't', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: name }] }, Period: 60, Stat: 'Sum' } }],
    }));
    // Assess
    expect(first).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    expect((first as unknown as { Reason?: string }).Reason).toBe('ConcurrentInvocationLimitExceeded');
    expect(second.name).toBe('TooManyRequestsException');
    expect(json(third.Payload)).toBe('ok');
    expect((throttles.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0)).toBe(2);
    cloudwatch.destroy();
  });

  it('answers an injected server error on a control-plane call with ServiceException', async () => {
    // Prepare
    aws.faults.add({ service: 'lambda', operation: 'GetFunction', kind: 'serverError', count: 1 });
    // Act
    const failed = await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'fledge-shift' })));
    const recovered = await lambda.send(new GetFunctionCommand({ FunctionName: 'fledge-shift' }));
    // Assess
    expect(failed).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 500 } });
    expect(recovered.Configuration?.FunctionName).toBe('fledge-shift');
  });

  it('refuses to invoke a function that is still Pending', async () => {
    // Prepare
    const slow = await startLocalAws({ port: 0, lambda: { updateDelayMs: 60_000 } });
    const client = new LambdaClient(clientConfig(slow));
    await client.send(new CreateFunctionCommand({ FunctionName: 'pending', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip({ 'index.mjs': 'export const handler = async () => 1;' }) } }));
    // Act
    const refused = await failure(client.send(new InvokeCommand({ FunctionName: 'pending' })));
    // Assess
    expect(refused).toMatchObject({ name: 'ResourceConflictException', message: 'The operation cannot be performed at this time. The function is currently in the following state: Pending' });
    client.destroy();
    await slow.stop();
  });

  it('keeps a version published under a slow activation Pending, refusing calls an alias routes to it', async () => {
    // Prepare: version 1 behind `live`; versions published from now on take an hour to come up.
    const name = await deploy({ 'index.mjs': 'export const handler = async () => "v1";' });
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: v1.Version! }));
    aws.service<LambdaService>('lambda').setVersionActivation(name, { pendingMs: 3_600_000 });
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'v2' }));
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).LastUpdateStatus === 'Successful' ? true : undefined), { what: `${name} updated` });

    // Act: publish, and route every call of `live` to the new version.
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: v1.Version!, RoutingConfig: { AdditionalVersionWeights: { [v2.Version!]: 1 } } }));
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: v2.Version! }));
    const throughAlias = await failure(lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live' })));
    const direct = await failure(lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: v2.Version! })));

    // Assess
    expect(v2).toMatchObject({ Version: '2', State: 'Pending' });
    expect(config).toMatchObject({ State: 'Pending', StateReasonCode: 'Creating' });
    for (const refused of [throughAlias, direct]) {
      expect(refused).toMatchObject({ name: 'ResourceConflictException', message: 'The operation cannot be performed at this time. The function is currently in the following state: Pending' });
    }
    expect(json((await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: v1.Version! }))).Payload)).toBe('v1');
  });

  it('ends a version whose activation fails in State Failed with the reason, refusing calls to it', async () => {
    // Prepare
    const name = await deploy({ 'index.mjs': 'export const handler = async () => "v1";' });
    aws.service<LambdaService>('lambda').setVersionActivation(name, { pendingMs: 0, failure: { reason: 'SnapStart snapshot could not be created', code: 'SnapStartFailure' } });

    // Act
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: published.Version! }));
    const refused = await failure(lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: published.Version! })));

    // Assess
    expect(config).toMatchObject({ State: 'Failed', StateReason: 'SnapStart snapshot could not be created', StateReasonCode: 'SnapStartFailure' });
    expect(refused).toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining('currently in the following state: Failed') });
  });
});
