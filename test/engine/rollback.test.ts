import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/local-aws';
import { aliasOf, deploymentId, executionEnd, mailTo, subscribeEmail, existingFunction, guardAliases, historyOf, kinds, spec, startDeployment, startEngine, trafficUntilEnd, uploadArtifact, userCode, type EngineWorld } from '../support/engine';

describe('rolling back on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
    await subscribeEmail(world, world.plane.notificationTopicArn, 'oncall@example.com');
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function alarmState(name: string): Promise<string | undefined> {
    const out = await world.plane.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    return out.MetricAlarms?.[0]?.StateValue;
  }

  it('rolls back when the new version\'s errors turn its alarm red mid-bake, leaving the alias exactly as before', async () => {
    // Prepare: version 2 throws on every request; the spec judges its error rate.
    const name = touch('red-canary-fn');
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, 'red/v2.zip', userCode('v2', { fails: true }));
    const id = deploymentId('red');
    const health = { alarms: [], checkInterval: 60, errorRate: { thresholdPercent: 5, minInvocations: 5 } };

    // Act
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 1800 }] }, { health }),
      artifact,
    });
    const { status, byVersion } = await trafficUntilEnd(world, name, executionArn);

    // Assess: rolled back by the check (execution FAILED) or at once by the alarm's event (ABORTED).
    expect(['FAILED', 'ABORTED']).toContain(status);
    expect(byVersion['2']).toBeGreaterThan(0);
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    // Whichever notices first — the alarm's evaluation or the check's own reading of the rate —
    // names version 2's errors (under load either may come first).
    const failureOfV2 = new RegExp(`alarm fledge-local\\.${name}\\.live\\.v2 (is in|went to) ALARM|error rate of version 2 is`);
    expect(record?.reason).toMatch(failureOfV2);
    const history = await historyOf(world, id);
    expect(kinds(history).slice(0, 3)).toEqual(['started', 'published', 'weight']);
    expect(kinds(history).at(-1)).toBe('rolledBack');
    const checks = history.filter((event) => event.kind === 'check');
    const ending = history.at(-1)?.data as { abortedBy?: { alarm: string } } | undefined;
    // Either the last check judged it, or the event-driven abort acted on fledge's alarm before it.
    if (ending?.abortedBy) expect(ending.abortedBy.alarm).toBe(`fledge-local.${name}.live.v2`);
    else expect(checks.at(-1)?.data).toMatchObject({ verdict: 'unhealthy', alarms: [{ name: `fledge-local.${name}.live.v2` }] });
    // The delivery metrics' facts: detected at the red check (or the alarm's change), restored at the ending.
    const ended = history.at(-1)!;
    expect(record).toMatchObject({ tookTraffic: true, endedAt: ended.at });
    if (ending?.abortedBy) expect(record?.failureDetectedAt).toBeLessThanOrEqual(ended.at);
    else expect(record?.failureDetectedAt).toBe(checks.at(-1)?.at);
    const endings = await world.plane.deps.store.listEndings({ from: record!.createdAt, to: ended.at + 1, functionName: name });
    expect(endings).toEqual([{ deploymentId: id, functionName: name, alias: 'live', status: 'ROLLED_BACK', createdAt: record!.createdAt, endedAt: ended.at, tookTraffic: true, failureDetectedAt: record!.failureDetectedAt }]);
    expect(await alarmState(`fledge-local.${name}.live.v2`)).toBeUndefined();
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    const mail = await eventually(async () => (await mailTo(world, 'oncall@example.com')).find((message) => message.subject === `fledge: ${name}:live rolled back`), { what: 'the rollback e-mail' });
    expect(mail.body).toContain(`Deployment: ${id}`);
    expect(mail.body).toMatch(failureOfV2);
  });

  it('does not let an already-red function-wide alarm block a healthy version judged on its own errors', async () => {
    // Prepare: release 1 fails, so the function-wide alarm is red (the bug release 2 fixes); the spec does not name it.
    const name = touch('already-red-fn');
    await existingFunction(world, name, 'v1', 'live', { fails: true });
    const wide = `${name}-all-errors`;
    await world.plane.clients.cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: wide, Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: name }], Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }),
    );
    await eventually(async () => {
      await world.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: Buffer.from('{}') }));
      return (await alarmState(wide)) === 'ALARM' ? true : undefined;
    }, { what: 'the function-wide alarm to turn red' });
    const artifact = await uploadArtifact(world, 'fix/v2.zip', userCode('v2'));
    const id = deploymentId('fix');
    const health = { alarms: [], checkInterval: 60, errorRate: { thresholdPercent: 5, minInvocations: 5 } };

    // Act
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 180 }] }, { health }),
      artifact,
    });
    const { status } = await trafficUntilEnd(world, name, executionArn);

    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    const checks = (await historyOf(world, id)).filter((event) => event.kind === 'check');
    expect(checks).toHaveLength(3);
    for (const check of checks) expect(check.data).toMatchObject({ verdict: expect.stringMatching(/^(bake|next)$/), alarms: [{ name: `fledge-local.${name}.live.v2` }] });
  });

  it('rolls back after promotion when the afterTraffic hook fails', async () => {
    // Prepare: a hook function that reports failure.
    const name = touch('after-hook-fn');
    await existingFunction(world, name);
    await existingFunction(world, 'after-hook-check', 'hook');
    const hookArtifact = await uploadArtifact(world, 'hook/failing.zip', { 'index.mjs': "export const handler = async () => ({ status: 'Failed', reason: 'checkout totals do not add up' });\n" });
    await world.plane.deps.lambda.updateCode({ functionName: 'after-hook-check', artifact: hookArtifact });
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, 'after-hook/v2.zip', userCode('v2'));
    const id = deploymentId('afterhook');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }, { hooks: { afterTraffic: 'after-hook-check' } }), artifact });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toMatchObject({ version: before.version, weights: {} });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'ROLLED_BACK' });
    expect(record?.reason).toContain('afterTraffic hook after-hook-check reported failure: checkout totals do not add up');
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'rolledBack']);
  });

  it('rolls back when a task keeps failing after its retries', async () => {
    // Prepare: every UpdateAlias is throttled, more times than the retries absorb.
    const name = touch('always-throttled-fn');
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, 'throttled/v2.zip', userCode('v2'));
    const id = deploymentId('throttled');
    world.aws.faults.add({ service: 'lambda', operation: 'UpdateAlias', kind: 'throttle', count: 1000 });

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }] }), artifact });
    const status = await executionEnd(world, executionArn);
    world.aws.faults.clear();

    // Assess
    expect(status).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual(before);
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toMatch(/^fledge\.Transient: UpdateAlias always-throttled-fn:live: TooManyRequestsException/);
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'rolledBack']);
  });


  it('rolls back when the deployment runs past its timeout mid-bake', async () => {
    // Prepare: a 10-minute limit on a deployment that would bake for an hour.
    const name = touch('deadline-fn');
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const id = deploymentId('deadline');

    // Act
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, { timeout: 600 }),
      artifact: await uploadArtifact(world, 'deadline/v2.zip', userCode('v2')),
    });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toMatch(/^fledge\.DeadlineExceeded: the deployment ran past its timeout/);
    expect(kinds(await historyOf(world, id)).filter((kind) => kind === 'check').length).toBeGreaterThan(0);
  });
});
