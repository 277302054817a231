import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand, waitUntilPublishedVersionActive } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDiscovery, type LocalDiscovery } from '../../local/discovery';
import { startLocalAws, type LocalAws } from '@fledge-local/embedded-aws';
import { startTraffic, TrafficTargetError } from '../../local/traffic';
import { clientConfig, eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { runFledge, startFledge } from './process';

const ROLE = 'arn:aws:iam::000000000000:role/traffic-test';
const healthy = (tag: string) => ({ 'index.mjs': `export const handler = async () => ({ release: '${tag}' });\n` });
const broken = { 'index.mjs': `export const handler = async () => { throw new Error('v2 is broken'); };\n` };

const fledge = runFledge;

describe('fledge traffic', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;

  async function settled(name: string): Promise<void> {
    await eventually(async () => {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      return config.State === 'Active' && config.LastUpdateStatus !== 'InProgress' ? true : undefined;
    }, { what: `${name} to settle` });
  }

  /** A function with version 1 (healthy) and version 2 (always failing), and `live` sending `share` of its traffic to 2. */
  async function weightedFunction(name: string, share: number): Promise<void> {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: 900, Code: { ZipFile: functionZip(healthy('v1')) } }));
    await settled(name);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: functionZip(broken) }));
    await settled(name);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    // A published version is Pending a moment (as on AWS): route to it only once both are Active.
    for (const version of ['1', '2']) await waitUntilPublishedVersionActive({ client: lambda, maxWaitTime: 60 }, { FunctionName: name, Qualifier: version });
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': share } } }));
  }

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, timeScale: 0.1, lambda: { updateDelayMs: 100 } });
    lambda = new LambdaClient(clientConfig(aws));
    await weightedFunction('split-fn', 0.5);
  });
  afterAll(async () => {
    lambda?.destroy();
    await aws?.stop();
  });

  it('counts invocations and function errors per executed version of a weighted alias', async () => {
    // Prepare
    const client = new LambdaClient(clientConfig(aws));

    // Act
    const run = startTraffic({ client, functionName: 'split-fn', alias: 'live', rps: 100 });
    await eventually(() => {
      const { byVersion } = run.stats();
      return (byVersion['1']?.invocations ?? 0) >= 10 && (byVersion['2']?.invocations ?? 0) >= 10 ? true : undefined;
    }, { what: 'both versions to answer ten times' });
    const stats = await run.stop();
    client.destroy();

    // Assess
    expect(stats.byVersion['1']!.errors).toBe(0);
    expect(stats.byVersion['2']!.errors).toBe(stats.byVersion['2']!.invocations);
    expect(stats.callErrors).toEqual({});
    expect(stats.answered).toBe(stats.byVersion['1']!.invocations + stats.byVersion['2']!.invocations);
    expect(stats.sent).toBe(stats.answered);
  });

  it('stops when its signal is aborted and sends nothing more', async () => {
    // Prepare
    const client = new LambdaClient(clientConfig(aws));
    const abort = new AbortController();
    const run = startTraffic({ client, functionName: 'split-fn', alias: 'live', rps: 50, signal: abort.signal });
    await eventually(() => (run.stats().answered >= 5 ? true : undefined), { what: 'five answers' });

    // Act
    abort.abort();
    const stats = await run.finished;
    const later = run.stats();
    client.destroy();

    // Assess
    expect(stats.sent).toBeGreaterThanOrEqual(5);
    expect(later.sent).toBe(stats.sent);
  });

  it('ends at once with a clear error when the alias does not exist', async () => {
    // Prepare
    const client = new LambdaClient(clientConfig(aws));

    // Act
    const run = startTraffic({ client, functionName: 'split-fn', alias: 'nope', rps: 20 });

    // Assess
    await expect(run.finished).rejects.toBeInstanceOf(TrafficTargetError);
    await expect(run.finished).rejects.toThrow(/cannot invoke split-fn:nope: ResourceNotFoundException/);
    client.destroy();
  });

  it('prints a per-version summary with error rates when run as a process against an endpoint', async () => {
    // Act
    const result = await fledge(['traffic', 'split-fn:live', '--rps', '40', '--duration', '2s', '--payload', '{"echo":1}', '--aws-endpoint', aws.endpoint]);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`fledge traffic: 40/s to split-fn:live (${aws.endpoint}) for 2s`);
    expect(result.stdout).toMatch(/traffic to split-fn:live: \d+ invocations in \d+\.\ds/);
    expect(result.stdout).toMatch(/VERSION\s+INVOCATIONS\s+SHARE\s+ERRORS\s+ERROR RATE/);
    const row = (version: string) => new RegExp(`^\\s+${version}\\s+(\\d+)\\s+[\\d.]+%\\s+(\\d+)\\s+([\\d.]+)%$`, 'm').exec(result.stdout);
    const v1 = row('1');
    const v2 = row('2');
    expect(v1, result.stdout).not.toBeNull();
    expect(v2, result.stdout).not.toBeNull();
    expect(Number(v1![2])).toBe(0);
    expect(Number(v2![1])).toBeGreaterThan(0);
    expect(Number(v2![2])).toBe(Number(v2![1]));
    expect(v2![3]).toBe('100');
  });

  it('stops on Ctrl+C (SIGINT) before its duration and still prints the summary', async () => {
    // Prepare
    const running = startFledge(['traffic', 'split-fn:live', '--rps', '20', '--duration', '10m', '--aws-endpoint', aws.endpoint]);
    await eventually(() => (/^ +\d+s +\d+ sent /m.test(running.stdout) ? true : undefined), { what: `a progress line (stdout: ${running.stdout})` });

    // Act
    running.child.kill('SIGINT');
    const code = await running.exit;

    // Assess
    expect(code).toBe(0);
    expect(running.stdout).toMatch(/traffic to split-fn:live: \d+ invocations in \d+\.\ds/);
    expect(running.stdout).toMatch(/VERSION\s+INVOCATIONS/);
  });

  it('finds the running local mode through the discovery file with --local', async () => {
    // Prepare
    const project = await mkdtemp(join(tmpdir(), 'fledge-traffic-'));
    await mkdir(join(project, '.fledge'));
    const info: LocalDiscovery = {
      version: 1, endpoint: aws.endpoint, apiUrl: 'http://127.0.0.1:1', region: aws.region, bucket: 'b', tableName: 't', stateMachineArn: 's',
      approvalTopicArn: 'a', notificationTopicArn: 'n', outboxUrl: `${aws.endpoint}/_fledge/sns/outbox`, dataDir: null, timeScale: 0.1, pid: process.pid, startedAt: Date.now(),
    };
    await writeDiscovery(info, join(project, '.fledge'));

    // Act
    const result = await fledge(['traffic', 'split-fn:live', '--rps', '20', '--duration', '1s', '--local'], { cwd: project });
    await rm(project, { recursive: true, force: true });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`(local mode at ${aws.endpoint})`);
    expect(result.stdout).toMatch(/traffic to split-fn:live: \d+ invocations/);
  });

  it('exits with 2 and says how to start local mode when --local finds none', async () => {
    // Prepare
    const project = await mkdtemp(join(tmpdir(), 'fledge-traffic-'));

    // Act
    const result = await fledge(['traffic', 'split-fn:live', '--rps', '5', '--local'], { cwd: project });
    await rm(project, { recursive: true, force: true });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('local mode is not running here');
    expect(result.stderr).toContain('npm start');
  });

  it('exits with 1 naming the alias when it cannot be invoked', async () => {
    // Act
    const result = await fledge(['traffic', 'split-fn:missing', '--rps', '5', '--aws-endpoint', aws.endpoint]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot invoke split-fn:missing: ResourceNotFoundException');
  });

  it('refuses a target without an alias and a bad rate as usage errors', async () => {
    // Act
    const noAlias = await fledge(['traffic', 'split-fn', '--rps', '5', '--aws-endpoint', aws.endpoint]);
    const badRate = await fledge(['traffic', 'split-fn:live', '--rps', '0', '--aws-endpoint', aws.endpoint]);
    const badPayload = await fledge(['traffic', 'split-fn:live', '--rps', '5', '--payload', '{nope', '--aws-endpoint', aws.endpoint]);

    // Assess
    expect(noAlias.code).toBe(2);
    expect(noAlias.stderr).toContain('expected <function>:<alias>, e.g. orders-api:live; got "split-fn"');
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('must be a number of requests per second');
    expect(badPayload.code).toBe(2);
    expect(badPayload.stderr).toContain('--payload must be JSON');
  });
});

