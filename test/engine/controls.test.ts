import { InvokeCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPromote, requestStop } from '../../shared/domain/deployment/controls';
import { DeploymentFinishedError } from '../../shared/model/engine-errors';
import type { DeploymentSpec } from '../../shared/model/spec';
import { eventually } from '../support/local-aws';
import { aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, recordStatus, settledAs, spec, startDeployment, startEngine, uploadArtifact, userCode, TIMED_PAUSES, type EngineWorld } from '../support/engine';

describe('controlling deployments on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** A canary that would bake for a simulated hour at 10%: long enough to act on mid-bake. */
  function longCanary(name: string, extra: Parameters<typeof spec>[2] = {}): DeploymentSpec {
    return spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, { health: TIMED_PAUSES, ...extra });
  }

  async function startMidBake(name: string, label: string) {
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, `${name}/${label}.zip`, userCode(label));
    const id = deploymentId(label);
    const started = await startDeployment(world, { deploymentId: id, spec: longCanary(name), artifact });
    // Mid-bake: 10% is on the new version and at least one check was green.
    await eventually(async () => (kinds(await historyOf(world, id)).includes('check') ? true : undefined), { what: `${id} to bake` });
    return { ...started, before, artifact };
  }

  it('refuses a second deployment of the same alias with the id of the one in progress, touching nothing', async () => {
    // Prepare
    const name = touch('locked-fn');
    const first = await startMidBake(name, 'first');
    const second = deploymentId('second');
    const aliasMidBake = await aliasOf(world, name);

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: second, spec: longCanary(name), artifact: await uploadArtifact(world, 'locked/second.zip', userCode('second')) });
    const status = await executionEnd(world, executionArn);

    // Assess
    expect(status).toBe('FAILED');
    const record = await world.plane.deps.store.getDeployment(second);
    expect(record?.status).toBe('REJECTED');
    expect(record?.reason).toContain(`is being deployed by ${first.deploymentId}`);
    expect(kinds(await historyOf(world, second))).toEqual(['rejected']);
    expect(await aliasOf(world, name)).toEqual(aliasMidBake);
    expect((await world.plane.deps.store.getLock(name, 'live'))?.holder).toBe(first.deploymentId);

    // The first one goes on, unharmed, until stopped.
    await requestStop(world.plane.deps, { deploymentId: first.deploymentId, by: 'test' });
    expect(await executionEnd(world, first.executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toMatchObject({ version: first.before.version, weights: {} });
  });

  it('records DRIFTED and leaves the alias alone when a person changes it mid-bake', async () => {
    // Prepare
    const name = touch('drift-fn');
    const { deploymentId: id, executionArn } = await startMidBake(name, 'drift');

    // Act: someone moves the alias back by hand.
    await world.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
    const humanAlias = await aliasOf(world, name);
    const status = await executionEnd(world, executionArn);

    // Assess
    expect(status).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual(humanAlias);
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('DRIFTED');
    expect(record?.reason).toContain('changed by someone else');
    expect(kinds(await historyOf(world, id)).at(-1)).toBe('drifted');
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
  });

  it('promotes at the next green check when asked to promote now', async () => {
    // Prepare
    const name = touch('promote-now-fn');
    const { deploymentId: id, executionArn } = await startMidBake(name, 'promote');

    // Act
    await requestPromote(world.plane.deps, { deploymentId: id, by: 'carol@example.com' });
    const status = await executionEnd(world, executionArn);

    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    const history = await historyOf(world, id);
    expect(kinds(history)).toContain('promoteRequested');
    expect(kinds(history).at(-1)).toBe('promoted');
    expect(history.filter((event) => event.kind === 'check').at(-1)?.data).toMatchObject({ verdict: 'promote' });
    await expect(requestPromote(world.plane.deps, { deploymentId: id, by: 'carol@example.com' })).rejects.toBeInstanceOf(DeploymentFinishedError);
  });

  it('rolls back at the next check when asked to stop', async () => {
    // Prepare
    const name = touch('stop-fn');
    const { deploymentId: id, executionArn, before } = await startMidBake(name, 'stop');

    // Act
    await requestStop(world.plane.deps, { deploymentId: id, by: 'dave@example.com', reason: 'customer complaints' });
    const status = await executionEnd(world, executionArn);

    // Assess
    expect(status).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'ROLLED_BACK', reason: 'fledge.StopRequested: stopped by dave@example.com: customer complaints' });
    // Time to restore runs from the stop request to the ending.
    expect(record?.failureDetectedAt).toBe(record?.stopRequested?.at);
    expect(record?.endedAt).toBe(record?.ending?.at);
    expect(kinds(await historyOf(world, id))).toEqual(expect.arrayContaining(['stopRequested', 'rolledBack']));
  });

  it('stops a deployment waiting for approval at once, without waiting for the approver', async () => {
    // Prepare
    const name = touch('stop-approval-fn');
    await existingFunction(world, name);
    const id = deploymentId('stop-approval');
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 20 }, { type: 'approval', timeout: 86_400 }] }),
      artifact: await uploadArtifact(world, 'stop-approval/v2.zip', userCode('v2')),
    });
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    await requestStop(world.plane.deps, { deploymentId: id, by: 'erin@example.com' });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
    expect(await world.plane.deps.store.getDeployment(id)).toMatchObject({ status: 'ROLLED_BACK', reason: 'fledge.StopRequested: stopped by erin@example.com' });
    expect((await world.plane.deps.store.getApproval(waiting.approvalId!))?.status).toBe('REJECTED');
  });

  it('restores the alias through the safety net when the execution is stopped mid-bake, and a second delivery changes nothing', async () => {
    // Prepare
    const name = touch('aborted-fn');
    const { deploymentId: id, executionArn, before } = await startMidBake(name, 'aborted');
    expect(Object.keys((await aliasOf(world, name)).weights)).toEqual(['2']);

    // Act: StopExecution runs no Catch; only the status-change subscription can repair.
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped from the console' }));
    const record = await settledAs(world, id, 'ROLLED_BACK');

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('ABORTED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect(record.reason).toBe('the execution was aborted');
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    const history = await historyOf(world, id);
    expect(kinds(history).at(-1)).toBe('rolledBack');

    // A duplicate event delivery (EventBridge is at-least-once) finds nothing to do.
    const aliasAfter = await aliasOf(world, name);
    const event = { 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', detail: { executionArn, name: id, status: 'ABORTED' } };
    const out = await world.lambda.send(new InvokeCommand({ FunctionName: world.plane.functions.SafetyNet, Payload: Buffer.from(JSON.stringify(event)) }));
    expect(JSON.parse(new TextDecoder().decode(out.Payload))).toEqual({ outcome: 'already-settled' });
    expect(await aliasOf(world, name)).toEqual(aliasAfter);
    expect(await historyOf(world, id)).toEqual(history);
  });

  it('ends FAILED saying exactly where the alias is when the rollback cannot complete, and the safety net repairs it later', async () => {
    // Prepare: mid-bake at 10%, Lambda then refuses every alias update.
    const name = touch('unrollable-fn');
    const { deploymentId: id, executionArn, before } = await startMidBake(name, 'unrollable');
    world.aws.faults.add({ service: 'lambda', operation: 'UpdateAlias', kind: 'throttle', count: 10_000 });

    // Act
    await requestStop(world.plane.deps, { deploymentId: id, by: 'frank@example.com' });
    const status = await executionEnd(world, executionArn);
    const failed = await world.plane.deps.store.getDeployment(id);
    world.aws.faults.clear();
    const repairEvent = { 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', detail: { executionArn, name: id, status: 'FAILED' } };
    await world.lambda.send(new InvokeCommand({ FunctionName: world.plane.functions.SafetyNet, Payload: Buffer.from(JSON.stringify(repairEvent)) }));
    const repaired = await settledAs(world, id, 'ROLLED_BACK');

    // Assess
    expect(status).toBe('FAILED');
    expect(failed?.status).toBe('FAILED');
    expect(failed?.reason).toContain(`alias ${name}:live: 90% on version 1, 10% on version 2`);
    expect(kinds(await historyOf(world, id))).toEqual(expect.arrayContaining(['failed', 'rolledBack']));
    expect(repaired.reason).toContain('the safety net then restored the alias');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    // Rollback's retries span about ten simulated minutes before RollbackFailed: more than the default timeout on a loaded machine.
  }, 90_000);

  it('honours a stop asked for before the deployment began, before any traffic moves', async () => {
    // Prepare: the starter wrote the PENDING record, then someone stopped it before the execution ran.
    const name = touch('stopped-early-fn');
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const id = deploymentId('stopped-early');
    const deployment = spec(name, { kind: 'allAtOnce' });
    const artifact = await uploadArtifact(world, 'stopped-early/v2.zip', userCode('v2'));
    const now = world.aws.clock.now();
    await world.plane.deps.store.createDeployment({ deploymentId: id, functionName: name, alias: 'live', status: 'PENDING', spec: deployment, artifact, startedBy: 'test', source: 'test', createdAt: now, updatedAt: now });
    await requestStop(world.plane.deps, { deploymentId: id, by: 'gina@example.com' });

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: deployment, artifact });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual(before);
    expect(await world.plane.deps.store.getDeployment(id)).toMatchObject({ status: 'ROLLED_BACK', reason: 'fledge.StopRequested: stopped by gina@example.com' });
    expect(kinds(await historyOf(world, id))).toEqual(['stopRequested', 'started', 'published', 'rolledBack']);
  });
});
