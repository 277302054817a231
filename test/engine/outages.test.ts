import { GetAliasCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestStop } from '../../shared/domain/deployment/controls';
import type { SweepReport } from '../../shared/domain/deployment/sweeper';
import { eventually } from '../support/local-aws';
import {
  aliasOf,
  deploymentId,
  executionEnd,
  existingFunction,
  guardAliases,
  historyOf,
  kinds,
  mailTo,
  settledAs,
  spec,
  startDeployment,
  startEngine,
  TIMED_PAUSES,
  subscribeEmail,
  uploadArtifact,
  userCode,
  type EngineWorld,
} from '../support/engine';

const ONCALL = 'oncall@example.com';

/**
 * Outages that outlast a deployment (issue 12): AWS keeps failing past the execution's retries.
 * The safety net's events are lost here (as when EventBridge or its Lambda fails too), so what
 * an execution leaves is repaired only by the sweeper, once the faults are cleared.
 */
describe('outages that outlast a deployment', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
    world.plane.unsubscribe();
    await subscribeEmail(world, world.plane.notificationTopicArn, ONCALL);
  });
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function startMidBake(name: string, label: string) {
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, `${name}/${label}.zip`, userCode(label));
    const id = deploymentId(label);
    const started = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }), artifact });
    // Mid-bake: 10% is on the new version and at least one check was green.
    await eventually(async () => (kinds(await historyOf(world, id)).includes('check') ? true : undefined), { what: `${id} to bake` });
    return { ...started, before };
  }

  /** One scheduled run of the sweeper, as the stack's rule invokes it. */
  async function sweepNow(): Promise<SweepReport> {
    const out = await world.lambda.send(new InvokeCommand({ FunctionName: world.plane.functions.Sweeper, Payload: Buffer.from('{}') }));
    expect(out.FunctionError).toBeUndefined();
    return JSON.parse(new TextDecoder().decode(out.Payload)) as SweepReport;
  }

  /** Scheduled runs of the sweeper until one of them did what `did` looks for; that run's report. */
  async function sweepUntil(did: (report: SweepReport) => boolean, what: string): Promise<SweepReport> {
    return eventually(
      async () => {
        const report = await sweepNow();
        return did(report) ? report : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what },
    );
  }

  /** The e-mails about one deployment, by subject. */
  async function mailsAbout(id: string): Promise<string[]> {
    return (await mailTo(world, ONCALL)).filter((mail) => mail.body.includes(`Deployment: ${id}`)).map((mail) => mail.subject);
  }

  it('leaves a deployment whose execution is still running alone', async () => {
    // Prepare
    const name = touch('sweep-running-fn');
    const { deploymentId: id } = await startMidBake(name, 'running');

    // Act
    const report = await sweepNow();

    // Assess
    expect(report.actions.filter((action) => action.deploymentId === id)).toEqual([]);
    expect((await world.plane.deps.store.getDeployment(id))?.status).toBe('RUNNING');
    expect(Object.keys((await aliasOf(world, name)).weights)).toEqual(['2']);
    await requestStop(world.plane.deps, { deploymentId: id, by: 'test' });
    await settledAs(world, id, 'ROLLED_BACK');
  });

  it('finishes a rollback that outlasted its execution once Lambda answers: alias whole, lock released, the repair recorded and notified once', async () => {
    // Prepare: mid-bake at 10%, then every alias update fails until long after the execution ended.
    const name = touch('outlasted-fn');
    const { deploymentId: id, executionArn, before } = await startMidBake(name, 'outlasted');
    world.aws.faults.add({ service: 'lambda', operation: 'UpdateAlias', kind: 'throttle', count: 100_000 });
    await requestStop(world.plane.deps, { deploymentId: id, by: 'frank@example.com' });
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    const failed = await settledAs(world, id, 'FAILED');
    const split = await aliasOf(world, name);
    const heldBy = (await world.plane.deps.store.getLock(name, 'live'))?.holder;
    world.aws.faults.clear();

    // Act
    const report = await sweepNow();
    const history = await historyOf(world, id);
    const again = await sweepNow();

    // Assess
    expect(failed.reason).toContain(`alias ${name}:live: 90% on version 1, 10% on version 2`);
    expect(Object.keys(split.weights)).toEqual(['2']);
    expect(heldBy).toBe(id);
    expect(report.actions).toContainEqual({ deploymentId: id, did: 'ROLLED_BACK' });
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toContain('the sweeper then restored the alias (all traffic on version 1)');
    expect(kinds(history).slice(-2)).toEqual(['failed', 'rolledBack']);
    expect(history.at(-1)).toMatchObject({ key: 'sweeper-repair', data: { repairedBy: 'sweeper', status: 'ROLLED_BACK' } });
    expect(again.actions.filter((action) => action.deploymentId === id)).toEqual([]);
    expect(await historyOf(world, id)).toEqual(history);
    expect(await mailsAbout(id)).toEqual([`fledge: ${name}:live deployment FAILED`, `fledge: ${name}:live rolled back`]);
    // The alias is free again: the next deployment goes through.
    const next = await startDeployment(world, { deploymentId: deploymentId('after-repair'), spec: spec(name, { kind: 'allAtOnce' }), artifact: await uploadArtifact(world, `${name}/v3.zip`, userCode('v3')) });
    expect(await executionEnd(world, next.executionArn)).toBe('SUCCEEDED');
  });

  it('finishes the rollback of a new alias left on a version whose afterTraffic hook failed: the alias fledge created is deleted once Lambda answers', async () => {
    // Prepare: the function has no `fresh` alias; the hook fails after the promotion, and deleting
    // the alias fledge created keeps failing until long after the execution ended.
    const name = touch('unreleased-fn');
    await existingFunction(world, name);
    await existingFunction(world, 'unreleased-hook', 'hook');
    await world.plane.deps.lambda.updateCode({ functionName: 'unreleased-hook', artifact: await uploadArtifact(world, 'unreleased-hook/failing.zip', { 'index.mjs': "export const handler = async () => ({ status: 'Failed', reason: 'release checks failed' });\n" }) });
    world.aws.faults.add({ service: 'lambda', operation: 'DeleteAlias', kind: 'throttle', count: 100_000 });
    const id = deploymentId('unreleased');
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }, { alias: 'fresh', hooks: { afterTraffic: 'unreleased-hook' } }), artifact: await uploadArtifact(world, `${name}/v2.zip`, userCode('v2')) });
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    const failed = await settledAs(world, id, 'FAILED');
    const left = await aliasOf(world, name, 'fresh');
    const heldBy = (await world.plane.deps.store.getLock(name, 'fresh'))?.holder;
    world.aws.faults.clear();

    // Act
    const report = await sweepNow();

    // Assess
    expect(failed.reason).toContain(`alias ${name}:fresh: all traffic on version 2`);
    expect(left).toMatchObject({ version: '2', weights: {} });
    expect(heldBy).toBe(id);
    expect(report.actions).toContainEqual({ deploymentId: id, did: 'ROLLED_BACK' });
    expect(await world.lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'fresh' })).catch((error: Error) => error.name)).toBe('ResourceNotFoundException');
    expect(await world.plane.deps.store.getLock(name, 'fresh')).toBeUndefined();
    expect(await world.plane.deps.store.getDeployment(id)).toMatchObject({ status: 'ROLLED_BACK', reason: expect.stringContaining('the sweeper then restored the alias (no alias)') });
    expect(kinds(await historyOf(world, id)).slice(-2)).toEqual(['failed', 'rolledBack']);
    expect(await mailsAbout(id)).toEqual([`fledge: ${name}:fresh deployment FAILED`, `fledge: ${name}:fresh rolled back`]);
  });

  it('restores the alias from what the execution carries when the table fails for good mid-bake, and the record catches up once it answers', async () => {
    // Prepare: mid-bake at 10%, then every DynamoDB call fails: the next check cannot even read the record.
    const name = touch('tableless-fn');
    const { deploymentId: id, executionArn, before } = await startMidBake(name, 'tableless');
    world.aws.faults.add({ service: 'dynamodb', operation: '*', kind: 'serverError', count: 1_000_000 });
    const status = await executionEnd(world, executionArn);
    const during = await aliasOf(world, name);
    const toldDuring = await mailsAbout(id);
    world.aws.faults.clear();
    const open = await world.plane.deps.store.getDeployment(id);

    // Act: the sweeper runs until the execution has been over for its grace period.
    const record = await eventually(
      async () => {
        await sweepNow();
        const now = await world.plane.deps.store.getDeployment(id);
        return now?.status === 'ROLLED_BACK' ? now : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `the sweeper to record ${id}` },
    );

    // Assess
    expect(status).toBe('FAILED');
    expect(during).toEqual({ ...before, revisionId: expect.any(String) });
    expect(toldDuring).toEqual([`fledge: ${name}:live rolled back`]);
    expect(open?.status).toBe('RUNNING');
    expect(record.reason).toBe('the execution ended FAILED without recording the outcome');
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    expect((await historyOf(world, id)).at(-1)).toMatchObject({ key: 'outcome', kind: 'rolledBack', data: { repairedBy: 'sweeper', aliasWasChanged: false } });
    expect(await aliasOf(world, name)).toEqual(during);
    // One outcome, one notification: the execution told people, the sweeper only recorded it.
    expect(await mailsAbout(id)).toEqual([`fledge: ${name}:live rolled back`]);
  });

  it('records a rollback whose notification fails for good, releases the lock at once, and notifies once when SNS answers again', async () => {
    // Prepare: mid-bake at 10%; then SNS refuses every message (its permission removed).
    const name = touch('unheard-fn');
    const { deploymentId: id, executionArn, before } = await startMidBake(name, 'unheard');
    world.aws.faults.add({ service: 'sns', operation: 'Publish', kind: 'error', code: 'AuthorizationError', status: 403, count: 100_000 });
    await requestStop(world.plane.deps, { deploymentId: id, by: 'gina@example.com' });
    await executionEnd(world, executionArn);
    const ended = await world.plane.deps.store.getDeployment(id);
    const lock = await world.plane.deps.store.getLock(name, 'live');
    const toldDuring = await mailsAbout(id);
    world.aws.faults.clear();

    // Act: the sweeper leaves a fresh ending to whoever ended it, then completes it; a sweep after that changes nothing.
    const report = await sweepUntil((sweep) => sweep.actions.some((action) => action.deploymentId === id), `the sweeper to settle ${id}`);
    await sweepNow();

    // Assess
    expect(ended).toMatchObject({ status: 'ROLLED_BACK', reason: 'fledge.StopRequested: stopped by gina@example.com', unsettled: [expect.stringContaining('AuthorizationError')] });
    expect(lock).toBeUndefined();
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect(toldDuring).toEqual([]);
    expect(report.actions).toContainEqual({ deploymentId: id, did: 'settled' });
    expect(await mailsAbout(id)).toEqual([`fledge: ${name}:live rolled back`]);
    expect((await world.plane.deps.store.getDeployment(id))?.unsettled).toBeUndefined();
  });

  it('records a rollback in the history once the table takes new items again, though none could be written when it ended', async () => {
    // Prepare: mid-bake at 10%; then the table refuses every new item (PutItem) but still updates and deletes.
    const name = touch('no-new-items-fn');
    const { deploymentId: id, executionArn } = await startMidBake(name, 'no-new-items');
    world.aws.faults.add({ service: 'dynamodb', operation: 'PutItem', kind: 'serverError', count: 1_000_000 });
    await executionEnd(world, executionArn);
    const ended = await world.plane.deps.store.getDeployment(id);
    const historyDuring = kinds(await historyOf(world, id));
    world.aws.faults.clear();

    // Act: the sweeper leaves a fresh ending to whoever ended it, then completes it.
    const report = await sweepUntil((sweep) => sweep.actions.some((action) => action.deploymentId === id), `the sweeper to settle ${id}`);

    // Assess
    expect(ended?.status).toBe('ROLLED_BACK');
    expect(historyDuring).not.toContain('rolledBack');
    expect(report.actions).toContainEqual({ deploymentId: id, did: 'settled' });
    expect(kinds(await historyOf(world, id))).toContain('rolledBack');
    expect(await mailsAbout(id)).toEqual([`fledge: ${name}:live rolled back`]);
  });

  it('keeps a healthy promotion when releasing the lock fails after it, and the sweeper releases the lock later', async () => {
    // Prepare: the lock's release (the table's only DeleteItem) fails for good.
    const name = touch('promoted-locked-fn');
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId('promoted-locked');
    world.aws.faults.add({ service: 'dynamodb', operation: 'DeleteItem', kind: 'serverError', count: 100_000 });

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 25 }, { type: 'pause', duration: 60 }] }, { health: TIMED_PAUSES }), artifact });
    const status = await executionEnd(world, executionArn);
    const heldBy = (await world.plane.deps.store.getLock(name, 'live'))?.holder;
    const ended = await world.plane.deps.store.getDeployment(id);
    world.aws.faults.clear();
    // The sweeper leaves a fresh ending to whoever ended it, then completes it.
    const report = await sweepUntil((sweep) => sweep.actions.some((action) => action.deploymentId === id), `the sweeper to settle ${id}`);

    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toEqual({ version: '2', weights: {}, revisionId: expect.any(String) });
    expect(ended).toMatchObject({ status: 'SUCCEEDED', unsettled: [expect.stringContaining('release the lock')] });
    expect((await world.plane.deps.store.getDeployment(id))?.unsettled).toBeUndefined();
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'weight', 'check', 'promoted']);
    expect(heldBy).toBe(id);
    expect(report.actions).toContainEqual({ deploymentId: id, did: 'settled' });
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
  });

  it('sends one refusal notice however often recording the refusal is retried', async () => {
    // Prepare: a deployment holds the alias; the table then throttles the next three record updates.
    const name = touch('refused-once-fn');
    const { deploymentId: holder } = await startMidBake(name, 'holder');
    world.aws.faults.add({ service: 'dynamodb', operation: 'UpdateItem', kind: 'throttle', count: 3 });

    // Act
    const id = deploymentId('refused-once');
    const refused = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }), artifact: await uploadArtifact(world, `${name}/v3.zip`, userCode('v3')) });
    const status = await executionEnd(world, refused.executionArn);
    const record = await world.plane.deps.store.getDeployment(id);

    // Assess
    expect(status).toBe('FAILED');
    expect(record?.status).toBe('REJECTED');
    expect(record?.reason).toContain(`is being deployed by ${holder}`);
    expect(await mailsAbout(id)).toEqual([`fledge: ${name}:live deployment refused`]);
    await requestStop(world.plane.deps, { deploymentId: holder, by: 'test' });
    await settledAs(world, holder, 'ROLLED_BACK');
  });
});
