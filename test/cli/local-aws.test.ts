import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/local-aws';

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Exit code, or the signal's name when a signal ended it. */
  readonly exit: Promise<number | string | null>;
}

function runCli(args: readonly string[]): Running {
  const child = spawn(process.execPath, ['dist/fledge.mjs', 'local-aws', ...args], { env: { ...process.env, NO_COLOR: '1' } });
  const running: Running = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal))),
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => { running.stdout += text; });
  child.stderr.setEncoding('utf8').on('data', (text: string) => { running.stderr += text; });
  return running;
}

const endpointOf = (running: Running): Promise<string> =>
  eventually(() => /listening on (http:\/\/\S+)/.exec(running.stdout)?.[1], { timeoutMs: 15_000, what: `the endpoint line (stdout: ${running.stdout} stderr: ${running.stderr})` });

describe('fledge local-aws', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const start = (args: readonly string[]): Running => {
    const running = runCli(args);
    cleanups.push(() => { if (running.child.exitCode === null) running.child.kill('SIGKILL'); });
    return running;
  };

  it('serves the SDK clients with the environment it prints, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-cli-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const running = start(['--port', '0', '--time-scale', '0.01', '--data-dir', dataDir]);
    const endpoint = await endpointOf(running);
    const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
    // Act
    const s3 = new S3Client(config);
    await s3.send(new CreateBucketCommand({ Bucket: 'from-cli' }));
    await s3.send(new PutObjectCommand({ Bucket: 'from-cli', Key: 'hello.txt', Body: 'hi' }));
    const object = await s3.send(new GetObjectCommand({ Bucket: 'from-cli', Key: 'hello.txt' }));
    const dynamodb = new DynamoDBClient(config);
    await dynamodb.send(new CreateTableCommand({ TableName: 'history', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: 'history' }));
    s3.destroy();
    dynamodb.destroy();
    running.child.kill('SIGTERM');
    const code = await running.exit;
    // Assess
    expect(await object.Body!.transformToString()).toBe('hi');
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    expect(running.stdout).toContain(`export AWS_ENDPOINT_URL=${endpoint}`);
    expect(running.stdout).toContain('AWS_ACCESS_KEY_ID=test');
    expect(running.stdout).toContain('export AWS_REGION=us-east-1');
    expect(running.stdout).toContain('forcePathStyle');
    expect(running.stdout).toMatch(/services: .*s3.*dynamodb/);
    expect(running.stdout).toContain(`data: ${dataDir}`);
    expect(running.stdout).toContain('stopped');
    expect(code).toBe(0);
  });

  it('exits with 2 and says so when the port is taken', async () => {
    // Prepare
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;
    // Act
    const running = start(['--port', String(port)]);
    const code = await running.exit;
    // Assess
    expect(code).toBe(2);
    expect(running.stderr).toContain(`127.0.0.1:${port}`);
    expect(running.stderr).toContain('already in use');
  });

  it('refuses a time scale that is not a positive number with exit code 2', async () => {
    // Act
    const running = start(['--port', '0', '--time-scale', '-1']);
    const code = await running.exit;
    // Assess
    expect(code).toBe(2);
    expect(running.stderr).toContain('--time-scale');
  });

  it('warns that the endpoint has no authentication when told to listen beyond loopback', async () => {
    // Act
    const running = start(['--port', '0', '--host', '0.0.0.0']);
    await endpointOf(running);
    running.child.kill('SIGINT');
    const code = await running.exit;
    // Assess
    expect(running.stderr).toMatch(/WARNING: listening on 0\.0\.0\.0, not loopback.*no authentication/);
    expect(code).toBe(0);
  });
});
