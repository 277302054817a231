import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/local-aws';
import { aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, settledAs, spec, startDeployment, startEngine, TIMED_PAUSES, uploadArtifact, userCode, type EngineWorld } from '../support/engine';

/** The spec's finalBake: all traffic on the new version, watched before the deployment succeeds. */
describe('the final bake after 100%', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** An alarm of the user's that the spec names; it starts INSUFFICIENT_DATA (not red). */
  async function userAlarm(name: string): Promise<string> {
    const alarm = `${name}-business`;
    await world.plane.clients.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: alarm, Namespace: 'Orders', MetricName: 'Failed', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    return alarm;
  }

  /** Starts an allAtOnce deployment of version 2 gated by `alarm`, with a final bake of `seconds`. */
  async function deployWithFinalBake(label: string, seconds: number): Promise<{ name: string; alarm: string; id: string; executionArn: string }> {
    const name = touch(`${label}-fn`);
    await existingFunction(world, name);
    const alarm = await userAlarm(name);
    const id = deploymentId(label);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }, { health: { ...TIMED_PAUSES, alarms: [alarm] }, finalBake: seconds }), artifact });
    return { name, alarm, id, executionArn };
  }

  it('succeeds only after a healthy window at 100%, every check of it recorded before the promotion', async () => {
    // Prepare / Act: ten minutes of final bake, a check a minute
    const { name, id, executionArn } = await deployWithFinalBake('final-healthy', 600);

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    const record = await settledAs(world, id, 'SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(record.evidence).toMatchObject({ version: '2', checks: 10 });
    const history = await historyOf(world, id);
    const started = history.find((event) => event.key === 'final-bake')!;
    const checks = history.filter((event) => event.kind === 'check');
    const promoted = history.find((event) => event.kind === 'promoted')!;
    expect(started).toMatchObject({ kind: 'weight', data: { percent: 100, version: '2', previousVersion: '1', finalBake: 600 } });
    expect(checks).toHaveLength(10);
    for (const check of checks) expect(check.data).toMatchObject({ weight: 100, finalBake: true, verdict: checks.at(-1) === check ? 'next' : 'bake' });
    expect(checks[0]!.message).toMatch(/^final bake check 1 at 100%/);
    // SUCCEEDED only after the window: the promotion comes after its last check, at least 600 s after it began
    expect(kinds(history).slice(-2)).toEqual(['check', 'promoted']);
    expect(promoted.at - started.at).toBeGreaterThanOrEqual(600_000);
  });

  it('rolls back to the old version when an alarm goes red inside the window, with the reason and no promotion', async () => {
    // Prepare: all traffic on version 2, its final bake of 30 minutes under way
    const { name, alarm, id, executionArn } = await deployWithFinalBake('final-red', 1800);
    await eventually(async () => ((await historyOf(world, id)).some((event) => event.key === 'final-bake') ? true : undefined), { timeoutMs: 60_000, intervalMs: 50, what: 'the final bake to begin' });
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });

    // Act
    await world.plane.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'test: orders failing' }));

    // Assess: rolled back by the alarm abort at once (ABORTED) or by the next check (FAILED)
    expect(['FAILED', 'ABORTED']).toContain(await executionEnd(world, executionArn));
    const record = await settledAs(world, id, 'ROLLED_BACK');
    expect(record.reason).toMatch(new RegExp(`alarm ${alarm} (is in|went to) ALARM`));
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
    const history = await historyOf(world, id);
    expect(kinds(history)).not.toContain('promoted');
    expect(kinds(history).at(-1)).toBe('rolledBack');
    expect(history.at(-1)?.message).toContain('alias back to version 1');
    expect(history.find((event) => event.key === 'final-bake')).toBeDefined();
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
  });
});
