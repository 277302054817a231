import { existsSync } from 'node:fs';
import { filterWordsOf, type NotificationKind } from '../../shared/model/notification';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalDiscovery } from '../../local/discovery';
import { releaseSpec, releaseZip } from '../../cli/demo/sample';
import { eventually } from '../support/local-aws';
import { unsafeLeft } from '../output/hostile';
import { startFledge, type Running } from './process';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const s3Config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }) as const;

describe('fledge local', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function project(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fledge-local-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  function start(cwd: string, args: readonly string[] = []): Running {
    const running = startFledge(['local', '--port', '0', '--api-port', '0', '--time-scale', '0.01', ...args], { cwd });
    cleanups.push(() => { if (running.child.exitCode === null) running.child.kill('SIGKILL'); });
    return running;
  }

  /** Waits for the banner's last line; the discovery file is written before it. */
  async function ready(running: Running, cwd: string): Promise<LocalDiscovery> {
    await eventually(() => (running.stdout.includes('Press Ctrl+C to stop.') ? true : undefined), { timeoutMs: 20_000, what: `the banner (stdout: ${running.stdout} stderr: ${running.stderr})` });
    return JSON.parse(await readFile(join(cwd, '.fledge', 'local.json'), 'utf8')) as LocalDiscovery;
  }

  async function stop(running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | null> {
    running.child.kill(signal);
    return running.exit;
  }

  it('provisions the control plane, says what to do next, prints arriving e-mails with their control characters escaped, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const cwd = await project();
    const running = start(cwd);
    const discovery = await ready(running, cwd);
    const config = { endpoint: discovery.endpoint, region: discovery.region, credentials, maxAttempts: 1 };
    const sfn = new SFNClient(config);
    const dynamodb = new DynamoDBClient(config);
    const sns = new SNSClient(config);

    // Act
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: discovery.stateMachineArn }));
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: discovery.tableName }));
    // With the event attribute fledge's notifier sets: local mode subscribes e-mail with the stack's default filter.
    const kind = (k: NotificationKind) => ({ events: { DataType: 'String.Array', StringValue: JSON.stringify(filterWordsOf(k)) } });
    await sns.send(new PublishCommand({ TopicArn: discovery.approvalTopicArn, Subject: 'fledge: approve hello:live?', Message: 'A deployment waits for your approval.\nApprove: http://127.0.0.1:1/a\nReject: http://127.0.0.1:1/r', MessageAttributes: kind('approvalRequested') }));
    await sns.send(new PublishCommand({ TopicArn: discovery.notificationTopicArn, Subject: 'fledge: hello:live rolled back', Message: 'Rolled back: \u001b[2J\u001b]52;c;ZXZpbA==\u0007\u202eevil\u0085\nApprove: http://evil.example/', MessageAttributes: kind('rolledBack') }));
    await eventually(() => (running.stdout.includes('e-mail to you@fledge.local: fledge: approve') && running.stdout.includes('rolled back') ? true : undefined), { what: `the e-mail lines (stdout: ${running.stdout})` });
    const listed = await fetch(`${discovery.apiUrl}/deployments`);
    const listing = (await listed.json()) as { items: unknown[] };
    const unknownPage = await fetch(`${discovery.apiUrl}/approvals/nothing-here`);
    for (const client of [sfn, dynamodb, sns]) client.destroy();
    const code = await stop(running);

    // Assess
    expect(code).toBe(0);
    expect(machine.status).toBe('ACTIVE');
    expect(JSON.parse(machine.definition!)).toHaveProperty('States');
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    expect(listed.status).toBe(200);
    expect(listing.items).toEqual([]);
    expect(unknownPage.headers.get('content-type')).toMatch(/^text\/html/);
    expect(running.stdout).toContain(`API            ${discovery.apiUrl}  (deployments API and approval pages)`);
    expect(discovery).toMatchObject({ version: 1, bucket: 'fledge-artifacts', region: 'us-east-1', timeScale: 0.01, dataDir: join(cwd, '.fledge', 'data') });
    expect(discovery.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.stdout).toContain(`AWS endpoint   ${discovery.endpoint}  (loopback only`);
    expect(running.stdout).toContain('bucket         fledge-artifacts');
    expect(running.stdout).toContain('data           .fledge/data (kept across restarts');
    // The demo's spec, by a path that works from where fledge local runs.
    const firstSpec = /npx fledge deploy (\S+) --local/.exec(running.stdout)?.[1] ?? '';
    expect(firstSpec).toMatch(/examples\/demo\/hello-v1\.yaml$/);
    expect(existsSync(resolve(cwd, firstSpec))).toBe(true);
    expect(running.stdout).toContain('e-mail to you@fledge.local: fledge: approve hello:live?');
    expect(running.stdout).toContain('    approve: http://127.0.0.1:1/a');
    expect(running.stdout).toContain('    Rolled back: \\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007\\u202eevil\\u0085\n');
    expect(unsafeLeft(running.stdout)).toEqual([]);
    expect(running.stdout).toContain('fledge local: stopped');
    expect(running.stderr).toBe('');
    expect(existsSync(join(cwd, '.fledge', 'local.json'))).toBe(false);
  });

  it('deploys a zip and spec dropped under deployments/ in the bucket, and shows it on the API', async () => {
    // Prepare
    const cwd = await project();
    const running = start(cwd);
    const discovery = await ready(running, cwd);
    const s3 = new S3Client(s3Config(discovery.endpoint));

    // Act: what a CI job does, the zip first, then the spec next to it.
    await s3.send(new PutObjectCommand({ Bucket: discovery.bucket, Key: 'deployments/hello/build/hello-v1.zip', Body: await releaseZip('v1') }));
    await s3.send(new PutObjectCommand({ Bucket: discovery.bucket, Key: 'deployments/hello/hello-v1.yaml', Body: (await releaseSpec('v1')).text }));
    s3.destroy();
    const deployment = await eventually(async () => {
      const { items } = (await (await fetch(`${discovery.apiUrl}/deployments?function=hello-fledge`)).json()) as { items: { deploymentId: string; status: string }[] };
      return items[0]?.status === 'SUCCEEDED' ? items[0] : undefined;
    }, { timeoutMs: 20_000, intervalMs: 100, what: 'the dropped deployment to succeed' });
    const alias = (await (await fetch(`${discovery.apiUrl}/functions/hello-fledge/aliases/live`)).json()) as { live: unknown };
    await stop(running);

    // Assess
    expect(deployment.status).toBe('SUCCEEDED');
    expect(alias.live).toEqual({ version: '1', weights: {} });
  });

  it('keeps the artifacts bucket across a restart with the same data directory', async () => {
    // Prepare
    const cwd = await project();
    const first = start(cwd);
    const before = await ready(first, cwd);
    const s3 = new S3Client(s3Config(before.endpoint));
    await s3.send(new PutObjectCommand({ Bucket: before.bucket, Key: 'deployments/kept.txt', Body: 'still here' }));
    s3.destroy();
    expect(await stop(first, 'SIGINT')).toBe(0);

    // Act
    const second = start(cwd);
    const after = await ready(second, cwd);
    const again = new S3Client(s3Config(after.endpoint));
    const object = await again.send(new GetObjectCommand({ Bucket: after.bucket, Key: 'deployments/kept.txt' }));
    const text = await object.Body!.transformToString();
    again.destroy();
    await stop(second);

    // Assess
    expect(text).toBe('still here');
    expect(second.stderr).toBe('');
  });

  it('keeps nothing with --no-persist', async () => {
    // Prepare
    const cwd = await project();
    const first = start(cwd, ['--no-persist']);
    const before = await ready(first, cwd);
    const s3 = new S3Client(s3Config(before.endpoint));
    await s3.send(new PutObjectCommand({ Bucket: before.bucket, Key: 'gone.txt', Body: 'x' }));
    s3.destroy();
    await stop(first);

    // Act
    const second = start(cwd, ['--no-persist']);
    const after = await ready(second, cwd);
    const again = new S3Client(s3Config(after.endpoint));
    const missing = again.send(new GetObjectCommand({ Bucket: after.bucket, Key: 'gone.txt' }));

    // Assess
    await expect(missing).rejects.toMatchObject({ name: 'NoSuchKey' });
    again.destroy();
    await stop(second);
    expect(after.dataDir).toBeNull();
    expect(second.stdout).toContain('data           in memory (gone when it stops)');
    expect(existsSync(join(cwd, '.fledge', 'data'))).toBe(false);
  });

  it('exits with 1 and names the data directory when another fledge local uses it', async () => {
    // Prepare
    const cwd = await project();
    const first = start(cwd);
    await ready(first, cwd);

    // Act
    const second = start(cwd);
    const code = await second.exit;
    await stop(first);

    // Assess
    expect(code).toBe(1);
    expect(second.stderr).toContain('is another fledge local using .fledge/data?');
  });

  it('exits with 2 and says so when the AWS or the API port is taken', async () => {
    // Prepare
    const cwd = await project();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as { port: number }).port;

    // Act
    const running = startFledge(['local', '--port', String(port), '--no-persist'], { cwd });
    const code = await running.exit;
    const api = startFledge(['local', '--port', '0', '--api-port', String(port), '--no-persist'], { cwd });
    const apiCode = await api.exit;

    // Assess
    expect(apiCode).toBe(2);
    expect(api.stderr).toContain(`the local API cannot listen on 127.0.0.1:${port}`);
    expect(api.stderr).toContain('--api-port');
    expect(code).toBe(2);
    expect(running.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is already in use`);
    expect(running.stderr).toContain('--port');
  });
});
