import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import type { DeploymentEvent } from '../../shared/model/deployment';
import type { HealthSpec, StrategySpec } from '../../shared/model/spec';
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
  recordStatus,
  spec,
  startDeployment,
  startEngine,
  subscribeEmail,
  trafficUntilEnd,
  uploadArtifact,
  userCode,
  type EngineWorld,
} from '../support/engine';

const ONCALL = 'oncall@example.com';
const APPROVER = 'approver@example.com';

/** The verdicts of the deployment's checks, and what each short one did. */
function checksOf(history: readonly DeploymentEvent[]): { verdicts: unknown[]; onInsufficientData: unknown[] } {
  const checks = history.filter((event) => event.kind === 'check');
  return { verdicts: checks.map((check) => check.data?.verdict), onInsufficientData: checks.flatMap((check) => (check.data?.onInsufficientData === undefined ? [] : [check.data.onInsufficientData])) };
}

describe('promotion needs evidence: invocations of the new version (embedded AWS, real state machine)', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
    await subscribeEmail(world, world.plane.notificationTopicArn, ONCALL);
    await subscribeEmail(world, world.plane.approvalTopicArn, APPROVER);
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** Version 1 serves the alias; version 2 (`fails`: throws on every request) is deployed with `strategy` and `health`. */
  async function deploy(label: string, strategy: StrategySpec, health: Partial<HealthSpec>, options: { fails?: boolean } = {}) {
    const name = touch(`${label}-fn`);
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2', options));
    const id = deploymentId(label);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, strategy, { health }), artifact });
    return { name, id, executionArn, before };
  }

  it('does not promote a broken release its alias sends no traffic to: the pause is extended, then rolled back', async () => {
    // Prepare: version 2 fails every request, but nobody calls the alias; its error rate needs 5 invocations to be judged.
    const { name, id, executionArn, before } = await deploy('no-traffic', { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 120 }] }, { errorRate: { thresholdPercent: 5, minInvocations: 5 } }, { fails: true });

    // Act
    const status = await executionEnd(world, executionArn);

    // Assess: two checks of the pause, two extensions of a minute (as long as the pause), then the rollback.
    expect(status).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toMatch(/^fledge\.InsufficientEvidence: insufficient evidence: version 2 got 0 of 5 required invocations in 4m(\d+s)? at 50% \(2m of it an extension\)$/);
    expect(record?.evidence).toBeUndefined();
    const history = await historyOf(world, id);
    expect(kinds(history)).not.toContain('promoted');
    expect(checksOf(history)).toEqual({ verdicts: ['bake', 'insufficient', 'insufficient', 'insufficient'], onInsufficientData: ['extend', 'extend', 'rollback'] });
    expect(history.find((event) => event.data?.onInsufficientData === 'extend')?.message).toMatch(/^check 2 at 50%: insufficient evidence: version 2 got 0 of 5 required invocations in 2m(\d+s)? at 50%; the pause is extended, by 1m so far, at most 2m$/);
    const mail = await eventually(async () => (await mailTo(world, ONCALL)).find((message) => message.body.includes(id)), { what: 'the rollback e-mail' });
    expect(mail.subject).toBe(`fledge: ${name}:live rolled back`);
    expect(mail.body).toContain('insufficient evidence: version 2 got 0 of 5 required invocations');
  });

  it('asks a person after the extension when the spec has approval steps, saying what is missing, and rolls back when they reject', async () => {
    // Prepare: no health signal at all, so the default evidence is 10 invocations per pause.
    const strategy: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }, { type: 'approval', timeout: 3600, message: 'dashboards?' }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 60 }] };
    const { name, id, executionArn, before } = await deploy('ask-short', strategy, { onInsufficientData: { action: 'extend', maxExtension: 60, then: 'pause' } });
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');
    const request = await eventually(async () => (await mailTo(world, APPROVER)).find((message) => message.body.includes(id)), { what: 'the approval e-mail' });

    // Act
    await decideApproval(world.plane.deps, { approvalId: waiting.approvalId!, approve: false, by: 'alice@example.com' });

    // Assess: the pause's own approval (step 1), not the approval step's (step 2), at 10%.
    expect(waiting.approvalId).toBe(`${id}.a1`);
    expect(waiting.currentWeight).toBe(10);
    expect(request.body).toMatch(/insufficient data: version 2 got 0 of 10 required invocations in 2m(\d+s)? at 10% \(1m of it an extension\)\. Approve to move on without that evidence/);
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect((await world.plane.deps.store.getDeployment(id))?.status).toBe('ROLLED_BACK');
    const history = await historyOf(world, id);
    expect(checksOf(history)).toEqual({ verdicts: ['insufficient', 'insufficient'], onInsufficientData: ['extend', 'pause'] });
    expect(kinds(history).slice(-3)).toEqual(['approvalRequested', 'approvalRejected', 'rolledBack']);
  });

  it('asks a person at once with onInsufficientData: pause, and when they approve, promotes saying on how little evidence', async () => {
    // Prepare
    const { name, id, executionArn } = await deploy('pause-short', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }] }, { onInsufficientData: { action: 'pause' } });
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    await decideApproval(world.plane.deps, { approvalId: waiting.approvalId!, approve: true, by: 'alice@example.com' });

    // Assess: the record (fledge status), the history and the notification all say it.
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.evidence).toEqual({ version: '2', invocations: 0, minInvocations: 10, checks: 1, shortSteps: 1 });
    const history = await historyOf(world, id);
    expect(checksOf(history)).toEqual({ verdicts: ['insufficient'], onInsufficientData: ['pause'] });
    expect(history.at(-1)).toMatchObject({ kind: 'promoted', data: { evidence: record?.evidence } });
    expect(history.at(-1)?.message).toBe(`version 2 promoted on 0 invocations (10 required per pause; 1 pause moved on short of evidence because a person said so): ${name}:live sends all traffic to it`);
    // The approval's own e-mail comes first (approvals are mailed by default): the promotion's follows.
    const mail = await eventually(async () => (await mailTo(world, ONCALL)).find((message) => message.body.includes(id) && message.subject.includes(' promoted ')), { what: 'the promotion e-mail' });
    expect(mail.subject).toBe(`fledge: ${name}:live promoted to version 2`);
    expect(mail.body).toContain('promoted on 0 invocations of version 2 (10 required per pause; 1 pause moved on short of evidence because a person said so)');
  });

  it('rolls back at the end of the pause with onInsufficientData: rollback, though the spec\'s alarm is green', async () => {
    // Prepare: an alarm that never sees data, so it stays green; no error-rate rule.
    const alarm = 'evidence-quiet-alarm';
    await world.plane.clients.cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: alarm, Namespace: 'Test', MetricName: 'Nothing', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }),
    );
    const { name, id, executionArn, before } = await deploy('rollback-short', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 120 }] }, { alarms: [alarm], onInsufficientData: { action: 'rollback' } });

    // Act
    const status = await executionEnd(world, executionArn);

    // Assess
    expect(status).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.reason).toMatch(/^fledge\.InsufficientEvidence: insufficient evidence: version 2 got 0 of 10 required invocations in 2m(\d+s)? at 10%$/);
    expect(checksOf(await historyOf(world, id))).toEqual({ verdicts: ['bake', 'insufficient'], onInsufficientData: ['rollback'] });
  });

  it('promotes a release that served its invocations, and says on how many in the record, the history and the notification', async () => {
    // Prepare: traffic through the alias for the whole deployment.
    const { name, id, executionArn } = await deploy('with-traffic', { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 120 }] }, { errorRate: { thresholdPercent: 5, minInvocations: 5 }, onInsufficientData: { action: 'extend', maxExtension: 600, then: 'rollback' } });

    // Act
    const { status, byVersion } = await trafficUntilEnd(world, name, executionArn);

    // Assess
    expect(status).toBe('SUCCEEDED');
    const record = await world.plane.deps.store.getDeployment(id);
    const seen = record?.evidence?.invocations ?? 0;
    expect(record?.evidence).toMatchObject({ version: '2', minInvocations: 5, shortSteps: 0 });
    expect(seen).toBeGreaterThanOrEqual(5);
    expect(seen).toBeLessThanOrEqual(byVersion['2'] ?? 0);
    const history = await historyOf(world, id);
    expect(history.at(-1)?.message).toBe(`version 2 promoted on ${seen} invocations (5 required per pause): ${name}:live sends all traffic to it`);
    const checks = history.filter((event) => event.kind === 'check');
    expect(checks.at(-1)?.data).toMatchObject({ verdict: 'next', evidence: { version: '2', required: 5, total: seen } });
    const mail = await eventually(async () => (await mailTo(world, ONCALL)).find((message) => message.body.includes(id)), { what: 'the promotion e-mail' });
    expect(mail.body).toContain(`Version 2 now serves all traffic: promoted on ${seen} invocations of version 2 (5 required per pause).`);
  });
});
