import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { aliasOf, existingFunction, guardAliases, historyOf, recordStatus } from '../support/engine';
import { eventually } from '../support/local-aws';
import { runCliAsync, startCliWorld, type CliWorld } from './cli-world';
import { project, settle, startApprovalCanary } from './deployments';

/** 21 minutes of steps (long enough for the CLI to pause it at 10%, simulated time running 200 times faster) and a timeout of 25. */
const TWO_STEPS = 'canary:\n    steps:\n      - setWeight: 10\n      - pause: 20m\n      - setWeight: 50\n      - pause: 1m';

describe('operating a deployment through the CLI: pause, resume, retry', () => {
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

  it('holds a paused deployment at its weight past its timeout, records it, and goes on to the end once resumed', { timeout: 60_000 }, async () => {
    // Prepare
    const name = touch('cli-pause-fn');
    await existingFunction(world, name);
    const { spec, zip } = project(name, TWO_STEPS);
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('timeout: 6h', 'timeout: 25m'));
    const deployed = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--via', 'api', '--local', '--output', 'json']);
    const id = (JSON.parse(deployed.stdout) as { deploymentId: string }).deploymentId;
    started.push(id);
    const running = await eventually(async () => {
      const record = await world.plane.deps.store.getDeployment(id);
      return record?.status === 'RUNNING' && record.currentWeight === 10 && record.deadline !== undefined ? record : undefined;
    }, { what: 'the deployment to run at 10%', timeoutMs: 20_000 });

    // Act: pause, let more than the whole timeout pass, then resume
    const notPaused = await runCliAsync(world, ['resume', id, '--local']);
    const paused = await runCliAsync(world, ['pause', id, '--local']);
    const again = await runCliAsync(world, ['pause', id, '--local']);
    await eventually(() => (world.plane.deps.clock.now() > running.deadline! + 2 * 60_000 ? true : undefined), { what: 'the original deadline to pass by two minutes', timeoutMs: 20_000 });
    const checks = await eventually(async () => {
      const held = (await historyOf(world, id)).filter((e) => e.kind === 'check' && e.message.includes('paused by local: holding at 10%'));
      return held.length >= 3 ? held : undefined;
    }, { what: 'health checks while paused', timeoutMs: 20_000 });
    const whilePaused = await world.plane.deps.store.getDeployment(id);
    const status = await runCliAsync(world, ['status', id, '--local']);
    const resumed = await runCliAsync(world, ['resume', id, '--local']);
    const ended = await recordStatus(world, id, 'SUCCEEDED');
    const history = await historyOf(world, id);

    // Assess
    expect(notPaused.code).toBe(1);
    expect(notPaused.stderr).toContain(`fledge: deployment ${id} is not paused; nothing was changed`);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain(`${id} is paused at 10%: it holds until \`fledge resume ${id} --local\``);
    expect(again.code).toBe(0);
    expect(checks.length).toBeGreaterThanOrEqual(3);
    expect(whilePaused).toMatchObject({ status: 'RUNNING', currentWeight: 10, paused: { by: 'local' } });
    expect(whilePaused!.deadline!).toBeGreaterThan(running.deadline! + 2 * 60_000);
    expect(status.stdout).toMatch(/Paused\s+by local at \S+: holding at this weight/);
    expect(status.stdout).toMatch(/Time left\s+on hold \(paused\)/);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(ended.paused).toBeUndefined();
    expect(history.filter((e) => e.kind === 'paused').map((e) => e.message)).toEqual(['paused by local at 10%: holding this weight until resumed']);
    expect(history.filter((e) => e.kind === 'resumed').map((e) => e.message)).toEqual([expect.stringMatching(/^resumed by local after \d+s paused$/)]);
    const kinds = history.map((e) => e.kind);
    expect(kinds.indexOf('resumed')).toBeLessThan(kinds.lastIndexOf('weight'));
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
  });

  it('refuses to pause a deployment waiting for an approval, which already holds', async () => {
    // Prepare
    const id = await startApprovalCanary(world, touch('cli-pause-approval-fn'));
    started.push(id);
    await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const paused = await runCliAsync(world, ['pause', id, '--local']);

    // Assess
    expect(paused.code).toBe(1);
    expect(paused.stderr).toMatch(/^fledge: cannot pause deployment \S+ while it is AWAITING_APPROVAL: it already holds until someone approves or rejects it/);
    expect((await world.plane.deps.store.getDeployment(id))?.paused).toBeUndefined();
  });

  it('retries a rolled-back deployment as a new one from the same spec and artifact, and refuses one that has not failed', async () => {
    // Prepare: a canary rejected at its approval ends ROLLED_BACK
    const name = touch('cli-retry-fn');
    const id = await startApprovalCanary(world, name);
    started.push(id);
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');
    await decideApproval(world.plane.deps, { approvalId: waiting.approvalId!, approve: false, by: 'test' });
    const rolledBack = await recordStatus(world, id, 'ROLLED_BACK');

    // Act
    const retried = await runCliAsync(world, ['retry', `${name}:live`, '--local', '--output', 'json']);
    const again = JSON.parse(retried.stdout) as { deploymentId: string };
    started.push(again.deploymentId);
    const running = await runCliAsync(world, ['retry', again.deploymentId, '--local']);
    const record = await world.plane.deps.store.getDeployment(again.deploymentId);

    // Assess
    expect(retried.code, retried.stderr).toBe(0);
    expect(again.deploymentId).not.toBe(id);
    expect(record).toMatchObject({ functionName: name, alias: 'live', spec: rolledBack.spec, artifact: rolledBack.artifact });
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(/only a deployment that ended FAILED or ROLLED_BACK can be retried; nothing was started/);
  });
});
