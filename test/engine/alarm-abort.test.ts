import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { ListExecutionsCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/local-aws';
import { alarmEvent, aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, settledAs, spec, startDeployment, startEngine, TIMED_PAUSES, uploadArtifact, userCode, type EngineWorld } from '../support/engine';
import type { StrategySpec } from '../../shared/model/spec';
import type { EngineState } from '../../shared/model/deployment';
import { DeploymentFinishedError, TransientAwsError } from '../../shared/model/engine-errors';
import { rollback } from '../../shared/domain/deployment/rollback';
import { rollbackFailed } from '../../shared/domain/deployment/outcomes';

/*
 * Event-driven abort on the embedded AWS: the embedded CloudWatch emits "CloudWatch Alarm State
 * Change" to the embedded EventBridge, whose rule (wired by local mode as the stack wires it)
 * delivers it to the abort function, while the real state machine runs the deployment.
 */
describe('event-driven abort', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    // The abort and the safety net run asynchronously: let what the last test set off finish first.
    await eventually(() => (deliveries(world).every((d) => d.status === 'succeeded' || d.status === 'failed') ? true : undefined), { what: 'asynchronous deliveries to finish' });
    await world?.stop();
  });

  /** The embedded Lambda's asynchronous deliveries. */
  function deliveries(w: EngineWorld): { status: string; functionName: string }[] {
    return (w.aws.service('lambda').inspect?.('async', new URLSearchParams()) as { deliveries: { status: string; functionName: string }[] }).deliveries;
  }

  /** An alarm of the user's that the spec names; it starts INSUFFICIENT_DATA (not red). */
  async function userAlarm(name: string): Promise<string> {
    const alarm = `${name}-business`;
    await world.plane.clients.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: alarm, Namespace: 'Orders', MetricName: 'Failed', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    return alarm;
  }

  async function setAlarm(alarm: string, value: 'ALARM' | 'OK'): Promise<void> {
    await world.plane.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: value, StateReason: `test: ${value}` }));
  }

  /** Starts a deployment of version 2 gated by `alarm` and waits until traffic is split. */
  async function splitDeployment(label: string, strategy: StrategySpec, checkInterval: number): Promise<{ name: string; alarm: string; id: string; executionArn: string; before: Awaited<ReturnType<typeof aliasOf>> }> {
    const name = touch(`${label}-fn`);
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const alarm = await userAlarm(name);
    const artifact = await uploadArtifact(world, `${label}/v2.zip`, userCode('v2'));
    const id = deploymentId(label);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, strategy, { health: { ...TIMED_PAUSES, alarms: [alarm], checkInterval } }), artifact });
    await eventually(async () => (Object.keys((await aliasOf(world, name)).weights).length > 0 ? true : undefined), { what: `${name} to be split` });
    return { name, alarm, id, executionArn, before };
  }

  it('rolls back the moment a gating alarm goes to ALARM, before the next scheduled check', async () => {
    // Prepare: 10% for an hour, checked every 30 minutes.
    const { name, alarm, id, executionArn, before } = await splitDeployment('abort', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, 1800);

    // Act
    await setAlarm(alarm, 'ALARM');

    // Assess: rolled back with no check having run, its execution stopped.
    const record = await settledAs(world, id, 'ROLLED_BACK');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect(record.reason).toMatch(new RegExp(`^alarm ${alarm} went to ALARM at `));
    const history = await historyOf(world, id);
    expect(kinds(history)).not.toContain('check');
    expect(history.at(-1)).toMatchObject({ kind: 'rolledBack', message: expect.stringContaining('(event-driven abort)'), data: { abortedBy: { alarm } } });
    expect(await executionEnd(world, executionArn)).toBe('ABORTED');
  });

  it('rolls back every member of an ordered group at once, the first one from 100%, when an alarm fires during the second one\'s walk', async () => {
    // Prepare: the api walks first (50% for 20 minutes, one check), then the worker; an alarm gates the group.
    const names = [touch('abort-ord-api'), touch('abort-ord-worker')];
    for (const name of names) await existingFunction(world, name);
    const alarm = await userAlarm(names[0]!);
    const artifacts = await Promise.all(names.map((name) => uploadArtifact(world, `abort-ord/${name}-v2.zip`, userCode('v2'))));
    const id = deploymentId('abort-ord');
    const base = spec(names[0]!, { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 1200 }] }, { health: { ...TIMED_PAUSES, alarms: [alarm], checkInterval: 1200 } });
    const group = { shift: 'ordered' as const, members: names.map((name, index) => ({ function: { name }, alias: 'live', artifact: { kind: 'zip' as const, bucket: artifacts[index]!.bucket, key: artifacts[index]!.key } })) };
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: { ...base, group }, artifact: artifacts[0]! });
    await eventually(async () => ((await aliasOf(world, names[1]!)).weights['2'] !== undefined ? true : undefined), { what: `${names[1]} to be split`, timeoutMs: 30_000 });
    expect(await aliasOf(world, names[0]!)).toMatchObject({ version: '2', weights: {} });

    // Act
    await setAlarm(alarm, 'ALARM');

    // Assess: the abort (not the next check) rolled every member back, the api from 100%.
    await settledAs(world, id, 'ROLLED_BACK');
    expect((await historyOf(world, id)).at(-1)).toMatchObject({ kind: 'rolledBack', message: expect.stringContaining('rolled back at once'), data: { abortedBy: { alarm } } });
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
      await settledAs(world, `${id}.m${index}`, 'ROLLED_BACK');
    }
    expect(await executionEnd(world, executionArn)).toBe('ABORTED');
  });

  it('never lets a check running at the same moment shift traffic while the abort rolls back', async () => {
    // Prepare: the first check ends the first pause and would shift to 50%. Its GetAlias is slowed a
    // little and the abort's (the restore's read) a lot, so the check announces its shift in the middle
    // of the abort; the alarm is back to OK by the time the check reads it.
    const { name, alarm, id, before } = await splitDeployment('race', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 300 }] }, 300);
    world.aws.faults.add({ service: 'lambda', operation: 'GetAlias', kind: 'latency', latencyMs: 120_000, count: 1 });
    world.aws.faults.add({ service: 'lambda', operation: 'GetAlias', kind: 'latency', latencyMs: 240_000, count: 1 });
    await eventually(() => (world.aws.faults.list().length === 1 ? true : undefined), { timeoutMs: 30_000, what: 'the check to be in flight' });

    // Act
    await setAlarm(alarm, 'ALARM');
    await setAlarm(alarm, 'OK');

    // Assess: the check's shift was refused (the deployment was taken over); the alias ends as before.
    const record = await settledAs(world, id, 'ROLLED_BACK');
    await eventually(async () => ((await world.plane.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.plane.stateMachineArn, statusFilter: 'RUNNING' }))).executions?.some((e) => e.name === id) ? undefined : true), { what: 'the execution to end' });
    expect(world.aws.faults.list()).toEqual([]);
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect(record.currentWeight).toBe(0);
    const history = await historyOf(world, id);
    expect(history.filter((event) => event.kind === 'weight').map((event) => event.data?.percent)).toEqual([10]);
    expect(history.filter((event) => event.kind === 'rolledBack')).toHaveLength(1);
    expect(record.reason).toMatch(new RegExp(`^alarm ${alarm} went to ALARM`));
  });

  it('never rolls a deployment back for a same-named alarm forwarded from another account or region, only for its own', async () => {
    // Prepare
    const { name, alarm, id } = await splitDeployment('elsewhere', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, 1800);
    const split = await aliasOf(world, name);
    const abort = async (account: string, region: string) => JSON.parse((await world.aws.services.lambda.invoke(world.plane.functions.Abort, alarmEvent(world, alarm, { id: `elsewhere-${account}-${region}`, from: { account, region } }))).payload.toString('utf8'));

    // Act
    const otherAccount = await abort('111111111111', world.aws.region);
    const otherRegion = await abort('000000000000', world.aws.region === 'eu-central-1' ? 'eu-west-1' : 'eu-central-1');
    const untouched = await aliasOf(world, name);
    const own = await abort('000000000000', world.aws.region);

    // Assess
    expect(otherAccount).toEqual({ outcomes: [] });
    expect(otherRegion).toEqual({ outcomes: [] });
    expect(untouched).toEqual(split);
    expect(own).toMatchObject({ outcomes: [{ deploymentId: id, outcome: 'rolled-back' }] });
    expect((await settledAs(world, id, 'ROLLED_BACK')).reason).toMatch(new RegExp(`^alarm ${alarm} went to ALARM`));
  });

  it('changes nothing for an alarm event that arrives after the deployment was promoted, or twice', async () => {
    // Prepare: a short canary that is promoted.
    const { name, alarm, id, executionArn } = await splitDeployment('late', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }] }, 60);
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    await settledAs(world, id, 'SUCCEEDED');
    const promoted = await aliasOf(world, name);
    const history = await historyOf(world, id);
    const event = alarmEvent(world, alarm, { id: 'late-1', reason: 'late', stamped: true });

    // Act: the event as EventBridge delivers it, twice, and the real alarm going red.
    const first = await world.aws.services.lambda.invoke(world.plane.functions.Abort, event);
    const second = await world.aws.services.lambda.invoke(world.plane.functions.Abort, event);
    await setAlarm(alarm, 'ALARM');

    // Assess
    expect(JSON.parse(first.payload.toString('utf8'))).toEqual({ outcomes: [] });
    expect(JSON.parse(second.payload.toString('utf8'))).toEqual({ outcomes: [] });
    expect(await aliasOf(world, name)).toEqual(promoted);
    expect((await world.plane.deps.store.getDeployment(id))?.status).toBe('SUCCEEDED');
    expect(await historyOf(world, id)).toEqual(history);
  });

  it('leaves a promotion under way alone: an alarm event that finds the alias announced wholly on the new version changes nothing', async () => {
    // Prepare: the record shows Promote's announced change (its write-ahead intent), as just before Promote moves the alias.
    const { name, alarm, id } = await splitDeployment('promoting', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, 1800);
    const split = await aliasOf(world, name);
    await world.plane.deps.store.updateDeployment(id, { intent: { target: { version: '2', weights: {} }, expectedRevisionId: split.revisionId, description: 'promote version 2' } });
    const event = alarmEvent(world, alarm, { id: 'promoting-1', reason: 'late', stamped: true });

    // Act
    const out = await world.aws.services.lambda.invoke(world.plane.functions.Abort, event);

    // Assess: nothing taken over, nothing moved.
    expect(JSON.parse(out.payload.toString('utf8'))).toEqual({ outcomes: [{ deploymentId: id, outcome: 'promoting' }] });
    expect(await aliasOf(world, name)).toEqual(split);
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'RUNNING' });
    expect(record?.abandonedAt).toBeUndefined();

    // Clean up: without the promotion's intent, the alarm rolls it back.
    await world.plane.deps.store.updateDeployment(id, { intent: null });
    await setAlarm(alarm, 'ALARM');
    await settledAs(world, id, 'ROLLED_BACK');
  });

  it('acts once on a duplicate event: the second delivery finds the deployment ended and changes nothing', async () => {
    // Prepare
    const { name, alarm, id, before } = await splitDeployment('dup', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, 1800);
    const event = alarmEvent(world, alarm, { id: 'dup-1', reason: 'dup', stamped: true });

    // Act: two deliveries of the same event, at the same time.
    const [first, second] = await Promise.all([world.aws.services.lambda.invoke(world.plane.functions.Abort, event), world.aws.services.lambda.invoke(world.plane.functions.Abort, event)]);

    // A delivery that met the other's ending mid-way (its notification claimed by the other, still being sent)
    // fails as fledge.Transient, and Lambda delivers the event again: that retry finds the deployment ended.
    const answers = [first, second];
    for (const [index, out] of answers.entries()) {
      if (!out.functionError) continue;
      expect(JSON.parse(out.payload.toString('utf8'))).toMatchObject({ errorType: 'fledge.Transient' });
      answers[index] = await world.aws.services.lambda.invoke(world.plane.functions.Abort, event);
    }

    // Assess
    const outcomes = answers.flatMap((out) => (JSON.parse(out.payload.toString('utf8')) as { outcomes: { outcome: string }[] }).outcomes.map((o) => o.outcome));
    expect(outcomes.filter((o) => o === 'rolled-back').length).toBeGreaterThanOrEqual(1);
    expect(outcomes.every((o) => o === 'rolled-back' || o === 'finished')).toBe(true);
    await settledAs(world, id, 'ROLLED_BACK');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const history = await historyOf(world, id);
    expect(history.filter((e) => e.kind === 'rolledBack')).toHaveLength(1);
  });

  it('leaves the ending to the abort that took the deployment over: the execution\'s rollback waits, its RollbackFailed records nothing, and the alarm is the reason whoever finishes', async () => {
    // Prepare: the abort has taken the deployment over (its first step) and is slow to restore;
    // the execution's check was refused meanwhile, so its Rollback and RollbackFailed run now.
    const { name, alarm, id, executionArn } = await splitDeployment('taken', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, 1800);
    const split = await aliasOf(world, name);
    const reason = `alarm ${alarm} went to ALARM`;
    await world.plane.deps.store.updateDeployment(id, { abandonedAt: world.aws.clock.now(), abandonedFor: reason });
    const record = (await world.plane.deps.store.getDeployment(id))!;
    const state = { deploymentId: id, spec: record.spec, artifact: record.artifact, startedBy: record.startedBy, source: record.source, failure: { Error: 'fledge.DeploymentFinished', Cause: `deployment ${id} has ended (RUNNING) or is being rolled back: no check` } } as EngineState;

    // Act
    const waited = await rollback(world.plane.deps, state).catch((error: unknown) => error);
    const leftAlone = await rollbackFailed(world.plane.deps, { ...state, rollbackFailure: { Error: 'fledge.Transient', Cause: 'waiting for its ending' } }).catch((error: unknown) => error);
    const untouched = await world.plane.deps.store.getDeployment(id);
    // The execution ends (fledge.Unreported), so the safety net finishes the ending should the abort have died.
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'fledge.Unreported' }));

    // Assess
    expect(waited).toBeInstanceOf(TransientAwsError);
    expect(leftAlone).toBeInstanceOf(DeploymentFinishedError);
    expect((leftAlone as Error).message).toContain(reason);
    expect(untouched).toMatchObject({ status: 'RUNNING', currentWeight: 10 });
    expect(await aliasOf(world, name)).toEqual(split);
    const ended = await settledAs(world, id, 'ROLLED_BACK');
    expect(ended.reason).toBe(reason);
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
  });
});
