import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existingFunction, guardAliases, historyOf, recordStatus, settledAs } from '../support/engine';
import { eventually } from '../support/local-aws';
import { cliEnv, runCliAsync, startCliWorld, startProcess, type CliWorld } from './cli-world';
import { APPROVAL_CANARY, approveAsPerson, project, settle, startApprovalCanary } from './deployments';
import { ROOT } from './run-cli';

const EVENT_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) {2}(\S+) +(.*)$/;

describe('following, finding and listing deployments through the CLI', () => {
  let world: CliWorld;
  const touch = guardAliases(() => world);
  const started: string[] = [];
  beforeAll(async () => {
    world = await startCliWorld();
  });
  afterEach(async () => {
    await settle(world, started);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('prints every event of the history once, in order, with its time, when deploy --wait is piped', async () => {
    // Prepare
    const name = touch('cli-piped-wait-fn');
    await existingFunction(world, name);
    const { spec, zip } = project(name, APPROVAL_CANARY);

    // Act: deploy and wait through a pipe (as in CI), approving when asked
    const deploy = startProcess(process.execPath, [join(ROOT, 'dist/fledge.mjs'), 'deploy', spec, '--zip', zip, '--via', 'api', '--local', '--wait'], cliEnv(world), 60_000);
    const id = await eventually(async () => (await world.plane.deps.store.listDeployments({ functionName: name, limit: 1 })).items[0]?.deploymentId, { what: 'the deployment to be recorded', timeoutMs: 20_000 });
    started.push(id);
    await approveAsPerson(world, id);
    const deployed = await deploy.result;
    // The CLI shows the ending as soon as the status is written; the history has it once settled.
    await settledAs(world, id, 'SUCCEEDED');
    const history = await historyOf(world, id);

    // Assess
    expect(deployed.code, deployed.stderr).toBe(0);
    const printed = deployed.stdout.split('\n').filter((line) => EVENT_LINE.test(line)).map((line) => EVENT_LINE.exec(line)!.slice(1, 4));
    expect(printed).toEqual(history.map((e) => [new Date(e.at).toISOString(), e.kind, e.message]));
    expect(history.map((e) => e.kind)).toEqual(expect.arrayContaining(['started', 'weight', 'check', 'approvalRequested', 'approvalGiven', 'promoted']));
    expect(deployed.stdout).toMatch(/Deployment\s+api-\S+\s+SUCCEEDED/);
    expect(deployed.stdout).not.toContain('\u001b[');
  });

  it('finds the deployment of <function>:<alias>, shows its numbers and time left, and hints at approving with the same flags', async () => {
    // Prepare
    const name = touch('cli-alias-status-fn');
    const id = await startApprovalCanary(world, name);
    started.push(id);
    await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const status = await runCliAsync(world, ['status', `${name}:live`, '--local']);
    const asJson = await runCliAsync(world, ['status', `${name}:live`, '--local', '--output', 'json', '--query', 'deploymentId']);
    const unknown = await runCliAsync(world, ['status', 'never-deployed-fn:live', '--local']);
    const approved = await runCliAsync(world, ['approve', `${name}:live`, '--local', '--yes']);

    // Assess
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`Deployment\\s+${id}\\s+AWAITING_APPROVAL`));
    expect(status.stdout).toMatch(/^\s+v2: \d+ calls? this step, \d+ since the start$/m);
    expect(status.stdout).toMatch(/Time left\s+about \d+m \d\ds once approved/);
    expect(status.stdout).toMatch(/Timeout\s+\S+Z \(/);
    expect(status.stdout).toContain(`fledge approve ${id} --local   or   fledge reject ${id} --local`);
    expect(JSON.parse(asJson.stdout)).toBe(id);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^fledge: no alias never-deployed-fn:live/);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`fledge status ${id} --watch --local`);
  });

  it('lists the deployments in progress and waiting for approval across functions', async () => {
    // Prepare
    const waiting = await startApprovalCanary(world, touch('cli-list-a-fn'));
    started.push(waiting);
    await recordStatus(world, waiting, 'AWAITING_APPROVAL');

    // Act
    const json = await runCliAsync(world, ['list', '--local', '--output', 'json']);
    const table = await runCliAsync(world, ['list', '--local']);
    const ids = await runCliAsync(world, ['list', '--local', '--query', "[?status=='AWAITING_APPROVAL'].deploymentId"]);

    // Assess
    expect(json.code, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout) as { deploymentId: string; status: string }[];
    expect(items).toContainEqual(expect.objectContaining({ deploymentId: waiting, functionName: 'cli-list-a-fn', status: 'AWAITING_APPROVAL', currentWeight: 10 }));
    expect(items.every((item) => ['AWAITING_APPROVAL', 'RUNNING', 'PENDING'].includes(item.status))).toBe(true);
    expect(table.stdout).toMatch(new RegExp(`cli-list-a-fn\\s+${waiting}\\s+live\\s+AWAITING_APPROVAL\\s+10%`));
    expect(ids.stdout.split('\n')).toContain(waiting);
  });

  it('stops following on --timeout with exit 1, and on Ctrl+C with exit 130, saying the deployment goes on and how to follow or stop it', async () => {
    // Prepare
    const id = await startApprovalCanary(world, touch('cli-follow-end-fn'));
    started.push(id);
    await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const timedOut = await runCliAsync(world, ['status', id, '--watch', '--interval', '0.1', '--timeout', '1s', '--local']);
    const child = spawn(process.execPath, [join(ROOT, 'dist/fledge.mjs'), 'status', id, '--watch', '--interval', '0.1', '--local'], { env: cliEnv(world), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await eventually(() => (stdout.includes('approvalRequested') ? true : undefined), { what: 'the watch to print the history', timeoutMs: 20_000 });
    child.kill('SIGINT');
    const code = await exited;
    const record = await world.plane.deps.store.getDeployment(id);

    // Assess
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toContain(`fledge: --timeout ran out after 1s: deployment ${id} goes on (AWAITING_APPROVAL at 10%)`);
    expect(code).toBe(130);
    expect(stderr).toContain(`fledge: stopped following: deployment ${id} goes on (AWAITING_APPROVAL at 10%). Follow it: fledge status ${id} --watch --local; stop it (it rolls back): fledge stop ${id} --local`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(record?.status).toBe('AWAITING_APPROVAL');
  });
});
