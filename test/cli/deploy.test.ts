import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { aliasOf, executionEnd, existingFunction, guardAliases, historyOf, recordStatus, settledAs, userCode } from '../support/engine';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { cliEnv, runCliAsync, startCliWorld, startProcess, type CliWorld } from './cli-world';
import { ROOT } from './run-cli';

const APPROVAL_CANARY = 'canary:\n    steps:\n      - setWeight: 10\n      - pause: 1m\n      - approval: { message: check it }\n      - setWeight: 50\n      - pause: 1m';

/** A project folder with a spec and the zip its relative artifact.zip names. */
function project(name: string, strategy = 'preset: AllAtOnce'): { spec: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-deploy-'));
  // No traffic reaches these functions: the spec says its pauses only wait (evidence has its own tests).
  writeFileSync(join(dir, 'release.yaml'), `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: build/function.zip\nstrategy:\n  ${strategy}\nhealth:\n  minInvocations: 0\ntimeout: 6h\n`);
  writeFileSync(join(dir, 'v2.zip'), functionZip(userCode('v2')));
  return { spec: join(dir, 'release.yaml'), dir };
}

describe('the fledge CLI against the embedded AWS', () => {
  let world: CliWorld;
  const touch = guardAliases(() => world);
  const started: string[] = [];
  afterEach(async () => {
    for (const id of started.splice(0)) {
      const record = await world.plane.deps.store.getDeployment(id);
      if (record?.status === 'AWAITING_APPROVAL' && record.approvalId) await decideApproval(world.plane.deps, { approvalId: record.approvalId, approve: false, by: 'test cleanup' }).catch(() => undefined);
      if (record?.executionArn) await executionEnd(world, record.executionArn);
    }
  });

  /** Approves the deployment's pending approval as a person with the link would (through the engine's decision). */
  async function approve(id: string): Promise<void> {
    const record = await recordStatus(world, id, 'AWAITING_APPROVAL');
    await decideApproval(world.plane.deps, { approvalId: record.approvalId!, approve: true, by: 'test approver' });
  }

  /** Deploys a canary that stops for approval through `fledge deploy --via api`; returns its id and the CLI's answer. */
  async function deployApprovalCanary(fn: string): Promise<{ name: string; id: string; deployed: Awaited<ReturnType<typeof runCliAsync>> }> {
    const name = touch(fn);
    await existingFunction(world, name);
    const { spec, dir } = project(name, APPROVAL_CANARY);
    const deployed = await runCliAsync(world, ['deploy', spec, '--zip', join(dir, 'v2.zip'), '--via', 'api', '--local', '--output', 'json']);
    const id = (JSON.parse(deployed.stdout) as { deploymentId: string }).deploymentId;
    started.push(id);
    return { name, id, deployed };
  }

  beforeAll(async () => {
    world = await startCliWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('deploys by dropping the zip and spec into the bucket, waits for the end, and shows it in history', async () => {
    // Prepare
    const name = touch('cli-drop-fn');
    await existingFunction(world, name);
    const { spec, dir } = project(name);

    // Act
    const deployed = await runCliAsync(world, ['deploy', spec, '--zip', join(dir, 'v2.zip'), '--local', '--wait']);
    const id = /deployment (s3-[A-Za-z0-9_-]+)/.exec(deployed.stderr)?.[1];
    const history = await runCliAsync(world, ['history', name, '--local', '--output', 'json']);
    const table = await runCliAsync(world, ['history', name, '--local']);
    const status = await runCliAsync(world, ['status', id ?? 'missing', '--local']);

    // Assess
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(id).toBeDefined();
    expect(deployed.stdout).toContain('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toEqual([
      expect.objectContaining({ deploymentId: id, status: 'SUCCEEDED', previousVersion: '1', newVersion: '2', source: 's3', evidence: { version: '2', invocations: 0, minInvocations: 0, checks: 0, shortSteps: 0 } }),
    ]);
    // All at once: nothing watched version 2 before it got all traffic, and both say so.
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+live\\s+SUCCEEDED\\s+v1 → v2 .*promoted on 0 invocations of version 2 \\(no health check watched it`));
    expect(status.stdout).toMatch(/Evidence\s+promoted on 0 invocations of version 2 \(no health check watched it: no pause before all traffic moved\)/);
  });

  it('deploys through the API and follows the deployment with status --watch', async () => {
    // Prepare
    const { id, deployed } = await deployApprovalCanary('cli-api-fn');

    // Act: the watch runs while the deployment waits at 10%, and follows it to the end once approved
    const watch = startProcess(process.execPath, [join(ROOT, 'dist/fledge.mjs'), 'status', id, '--watch', '--interval', '0.1', '--local'], cliEnv(world));
    await eventually(() => (/\sapprovalRequested\s+approval requested at 10%/m.test(watch.stdout()) ? true : undefined), { what: 'the watch to show the approval step', timeoutMs: 20_000 });
    await approve(id);
    const watched = await watch.result;

    // Assess
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/^\d{4}-\d\d-\d\dT\S+Z\s+approvalRequested\s+approval requested at 10%/m);
    expect(watched.stdout).toMatch(/Deployment\s+api-\S+\s+SUCCEEDED/);
    expect(watched.stdout).toMatch(/Traffic\s+█{20} 100%/);
    expect(watched.stdout).toMatch(/Evidence\s+promoted on \d+ invocations? of version 2 \(none required\)/);
    expect((await settledAs(world, id, 'SUCCEEDED')).ending?.eventKind).toBe('promoted');
    expect((await historyOf(world, id)).map((e) => e.kind)).toContain('promoted');
  });

  it('approves as the caller after confirming, and refuses to decide without a terminal unless told --yes', async () => {
    // Prepare
    const { id } = await deployApprovalCanary('cli-approve-fn');
    await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const unconfirmed = await runCliAsync(world, ['approve', id, '--local']);
    const status = await runCliAsync(world, ['status', id, '--local']);
    const approved = await runCliAsync(world, ['approve', id, '--local', '--yes', '--comment', 'numbers look good']);
    const record = await recordStatus(world, id, 'SUCCEEDED');
    const again = await runCliAsync(world, ['approve', id, '--local', '--yes']);

    // Assess
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes');
    expect(status.stdout).toContain('AWAITING_APPROVAL');
    expect(status.stdout).toContain(`fledge approve ${id}`);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('approved by local');
    expect(record.status).toBe('SUCCEEDED');
    expect((await historyOf(world, id)).find((e) => e.kind === 'approvalGiven')?.message).toBe('approved by local: numbers look good');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not waiting for an approval');
  });

  it('rejects, and then refuses to stop or promote the finished deployment', async () => {
    // Prepare
    const { name, id } = await deployApprovalCanary('cli-reject-fn');
    await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const rejected = await runCliAsync(world, ['reject', id, '--local', '--yes']);
    await recordStatus(world, id, 'ROLLED_BACK');
    const stop = await runCliAsync(world, ['stop', id, '--local']);
    const promote = await runCliAsync(world, ['promote', id, '--local']);
    const status = await runCliAsync(world, ['status', id, '--local']);

    // Assess
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stdout).toContain('rejected by local');
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
    expect([stop.code, promote.code]).toEqual([1, 1]);
    expect(stop.stderr).toContain('already ended ROLLED_BACK');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('ROLLED_BACK');
  });

  it('stops a running deployment', async () => {
    // Prepare
    const { id } = await deployApprovalCanary('cli-stop-fn');
    await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const stopped = await runCliAsync(world, ['stop', id, '--local', '--reason', 'wrong build']);

    // Assess
    expect(stopped.code, stopped.stderr).toBe(0);
    expect((await recordStatus(world, id, 'ROLLED_BACK')).stopRequested).toMatchObject({ by: 'local', reason: 'wrong build' });
  });

  it('refuses an invalid spec before uploading anything, and a missing API with a usage error', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'fledge-bad-'));
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nfunction: cli-bad-fn\nalias: live\nartifact:\n  zip: f.zip\nstrategy:\n  preset: Nope\n');
    const good = project('cli-noapi-fn');

    // Act
    const invalid = await runCliAsync(world, ['deploy', join(dir, 'bad.yaml'), '--local']);
    const noApi = await runCliAsync(world, ['history', 'x'], { env: { FLEDGE_API_URL: '' } });
    const noZip = await runCliAsync(world, ['deploy', good.spec, '--local']);

    // Assess
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/bad\.yaml:7:\d+\s+strategy\.preset/);
    expect((await world.plane.deps.store.listDeployments({ functionName: 'cli-bad-fn', limit: 5 })).items).toEqual([]);
    expect(noApi.code).toBe(2);
    expect(noApi.stderr).toContain('pass --endpoint <url>');
    expect(noZip.code).toBe(2);
    expect(noZip.stderr).toContain('pass --zip <file>');
  });
});
