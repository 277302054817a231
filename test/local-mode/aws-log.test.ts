import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { getLog } from '@fledge-local/embedded-aws';
import type { LocalDiscovery } from '../../local/discovery';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { startFledge, type Running } from './process';

const FAILED_RUN = /asynchronous delivery [0-9a-f-]{36} from an Event invoke to broken: run attempt 1 failed in the function \(Error: down(?:\\u001b\[2J)?\); Lambda retries in 60 s/;

/** Deploys a function that always fails (with `detail` after its message, JavaScript source text) and invokes it asynchronously. */
async function failingEventInvoke(endpoint: string, detail = ''): Promise<void> {
  const lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'broken', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/r', Timeout: 900, Code: { ZipFile: functionZip({ 'index.mjs': 'export const handler = async () => { throw new Error("down' + detail + '"); };\n' }) } }));
  await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'broken' }))).State === 'Active' ? true : undefined), { what: 'the function to be Active' });
  await lambda.send(new InvokeCommand({ FunctionName: 'broken', InvocationType: 'Event', Payload: '{}' }));
  lambda.destroy();
}

describe('the embedded AWS\'s log in local mode', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function start(args: readonly string[], cwd?: string): Running {
    const running = startFledge(args, cwd ? { cwd } : {});
    cleanups.push(() => {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      return running.exit;
    });
    return running;
  }

  it('fledge local --verbose prints a failed delivery, which the log file under the data directory keeps too, both with its control characters escaped', async () => {
    // Prepare
    const cwd = await mkdtemp(join(tmpdir(), 'fledge-log-'));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    const running = start(['local', '--port', '0', '--api-port', '0', '--time-scale', '0.01', '--verbose'], cwd);
    await eventually(() => (running.stdout.includes('Press Ctrl+C to stop.') ? true : undefined), { timeoutMs: 20_000, what: `the banner (stdout: ${running.stdout} stderr: ${running.stderr})` });
    const discovery = JSON.parse(await readFile(join(cwd, '.fledge', 'local.json'), 'utf8')) as LocalDiscovery;

    // Act: the error message carries a terminal escape (clear screen) after "down"
    await failingEventInvoke(discovery.endpoint, '\\u001b[2J');
    await eventually(() => (FAILED_RUN.test(running.stderr) ? true : undefined), { what: `the failed delivery on stderr (stderr: ${running.stderr.slice(-2000)})` });
    const file = await readFile(join(cwd, '.fledge', 'data', 'embedded-aws.log'), 'utf8');

    // Assess: the file and the terminal show the escape, never carry it
    expect(file).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z lambda: ${FAILED_RUN.source}`, 'm'));
    expect(file).toContain('(Error: down\\u001b[2J)');
    expect(file).not.toContain('\u001b');
    expect(running.stderr).not.toContain('\u001b');
    expect(running.stdout).toMatch(/AWS log {8}\.fledge\/data\/embedded-aws\.log and GET http:\/\/127\.0\.0\.1:\d+\/_fledge\/log/);
  });

  it('fledge local-aws without --verbose prints nothing of it, and serves it at /_fledge/log', async () => {
    // Prepare
    const running = start(['local-aws', '--port', '0', '--time-scale', '0.01']);
    const endpoint = await eventually(() => /listening on (http:\/\/\S+)/.exec(running.stdout)?.[1], { timeoutMs: 20_000, what: `the endpoint line (stdout: ${running.stdout} stderr: ${running.stderr})` });

    // Act
    await failingEventInvoke(endpoint);
    const lines = await eventually(async () => {
      const found = await getLog(endpoint, 'run attempt 1 failed');
      return found.length > 0 ? found : undefined;
    }, { what: 'the failed delivery in the log' });

    // Assess
    expect(lines.map((line) => line.message)).toEqual([expect.stringMatching(FAILED_RUN)]);
    expect(running.stderr).not.toMatch(/asynchronous delivery/);
    expect(running.stdout).toContain(`log: GET ${endpoint}/_fledge/log (failed deliveries and retries; --verbose prints them to standard error)`);
  });
});
