import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { ApprovalClosedError } from '../../shared/model/engine-errors';
import type { DeploymentSpec } from '../../shared/model/spec';
import { eventually } from '../support/local-aws';
import { aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, mailTo, recordStatus, spec, startDeployment, startEngine, subscribeEmail, uploadArtifact, userCode, TIMED_PAUSES, type EngineWorld } from '../support/engine';

describe('approvals on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
    await subscribeEmail(world, world.plane.approvalTopicArn, 'approver@example.com');
  });
  afterAll(async () => {
    await world?.stop();
  });

  function canaryWithApproval(name: string, approvalTimeout: number): DeploymentSpec {
    return spec(name, {
      kind: 'canary',
      steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }, { type: 'approval', timeout: approvalTimeout, message: 'check the dashboards' }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 60 }],
    }, { health: TIMED_PAUSES });
  }

  async function startAwaitingApproval(name: string, approvalTimeout = 3600) {
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId(name);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: canaryWithApproval(name, approvalTimeout), artifact });
    return { id, executionArn, before };
  }

  it('waits at 10% for approval, mails the request without the task token, and continues when approved', async () => {
    // Prepare
    const name = touch('approved-fn');
    const { id, executionArn } = await startAwaitingApproval(name);
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');
    const approval = await world.plane.deps.store.getApproval(waiting.approvalId!);

    // Act
    const decided = await decideApproval(world.plane.deps, { approvalId: waiting.approvalId!, approve: true, by: 'alice@example.com', comment: 'dashboards look fine' });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: 'alice@example.com' });
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(waiting.currentWeight).toBe(10);
    const history = await historyOf(world, id);
    expect(kinds(history)).toEqual(['started', 'published', 'weight', 'check', 'approvalRequested', 'approvalGiven', 'weight', 'check', 'promoted']);
    expect(history.find((event) => event.kind === 'approvalGiven')?.message).toBe('approved by alice@example.com: dashboards look fine');
    const mail = (await mailTo(world, 'approver@example.com')).find((message) => message.body.includes(id));
    expect(mail?.subject).toBe(`fledge: approve ${name}:live?`);
    expect(mail?.body).toContain('check the dashboards');
    expect(mail?.body).toContain('Traffic on the new version: 10%');
    expect(mail?.body).toContain('Health so far: 1 health check, all green');
    expect(approval?.taskToken.length).toBeGreaterThan(0);
    expect(mail?.body).not.toContain(approval!.taskToken);
  });

  it('refuses a second decision on the same approval and changes nothing', async () => {
    // Prepare
    const name = touch('decided-twice-fn');
    const { id, executionArn } = await startAwaitingApproval(name);
    const { approvalId } = await recordStatus(world, id, 'AWAITING_APPROVAL');
    await decideApproval(world.plane.deps, { approvalId: approvalId!, approve: true, by: 'alice@example.com' });

    // Act
    const second = decideApproval(world.plane.deps, { approvalId: approvalId!, approve: false, by: 'mallory@example.com' });

    // Assess
    await expect(second).rejects.toBeInstanceOf(ApprovalClosedError);
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect((await world.plane.deps.store.getApproval(approvalId!))?.decidedBy).toBe('alice@example.com');
    expect(kinds(await historyOf(world, id))).not.toContain('approvalRejected');
  });

  it('rolls back to the old version when the approver rejects', async () => {
    // Prepare
    const name = touch('rejected-fn');
    const { id, executionArn, before } = await startAwaitingApproval(name);
    const { approvalId } = await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    await decideApproval(world.plane.deps, { approvalId: approvalId!, approve: false, by: 'bob@example.com', comment: 'latency doubled' });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toBe('fledge.ApprovalRejected: rejected by bob@example.com: latency doubled');
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'weight', 'check', 'approvalRequested', 'approvalRejected', 'rolledBack']);
  });

  it('treats an approval not given in time as a rejection and closes its links', async () => {
    // Prepare: two simulated minutes to decide.
    const name = touch('timed-out-fn');
    const { id, executionArn, before } = await startAwaitingApproval(name, 120);
    const { approvalId } = await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const status = await executionEnd(world, executionArn);

    // Assess
    expect(status).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'ROLLED_BACK', reason: 'approval was not given in time' });
    expect((await world.plane.deps.store.getApproval(approvalId!))?.status).toBe('EXPIRED');
    await expect(decideApproval(world.plane.deps, { approvalId: approvalId!, approve: true, by: 'late@example.com' })).rejects.toBeInstanceOf(ApprovalClosedError);
    expect(kinds(await historyOf(world, id)).at(-1)).toBe('rolledBack');
    await eventually(async () => ((await world.plane.deps.store.getLock(name, 'live')) === undefined ? true : undefined), { what: 'the lock to be released' });
  });
});
