import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_PERMISSIONS, type EngineFunction } from '../../functions/permissions';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { eventually } from '../support/local-aws';
import { deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, recordStatus, ROLE, spec, startDeployment, startEngine, uploadArtifact, USER_TIMEOUT, userCode, type EngineWorld } from '../support/engine';

/**
 * Every AWS call each task function makes, recorded while it runs real deployments, must be in
 * its least-privilege list (functions/permissions.ts), which issue 6 turns into one IAM role per
 * function. A call added to the code without its permission fails here, not in production.
 */
describe('the least-privilege lists of the engine functions', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);
  const calls = new Map<EngineFunction, Set<string>>();

  beforeAll(async () => {
    world = await startEngine({
      onAwsCall: (fn, action) => {
        if (!calls.has(fn)) calls.set(fn, new Set());
        calls.get(fn)!.add(action);
      },
    });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('cover every call of every function across creation, a full canary, a rollback, a refusal, the safety net, the alarm abort, the sweeper and a refused wave run', async () => {
    // Prepare: a hook function, and a function that does not exist yet.
    await existingFunction(world, 'perm-hook', 'hook');
    const created = touch('perm-new-fn');
    const configuration = { runtime: 'nodejs22.x', handler: 'index.handler', role: ROLE, timeout: USER_TIMEOUT };

    // Act 1: first deployment creates the function.
    const first = await startDeployment(world, { deploymentId: deploymentId('perm-create'), spec: spec(created, { kind: 'allAtOnce' }, { configuration }), artifact: await uploadArtifact(world, 'perm/v1.zip', userCode('v1')) });
    expect(await executionEnd(world, first.executionArn)).toBe('SUCCEEDED');

    // Act 2: a canary with configuration, smoke test, hooks, error-rate alarm, an approval and cleanup.
    const fullId = deploymentId('perm-full');
    const full = await startDeployment(world, {
      deploymentId: fullId,
      spec: spec(
        created,
        { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }, { type: 'approval', timeout: 3600 }] },
        {
          configuration: { ...configuration, description: 'release 2' },
          // No traffic: the pause is a timed wait here (evidence has its own tests).
          health: { alarms: [], checkInterval: 60, errorRate: { thresholdPercent: 5, minInvocations: 5 }, smokeTest: { payload: {} }, minInvocations: 0 },
          hooks: { beforeTraffic: 'perm-hook', afterTraffic: 'perm-hook' },
          cleanup: { keepVersions: 1 },
        },
      ),
      artifact: await uploadArtifact(world, 'perm/v2.zip', userCode('v2')),
    });
    const { approvalId } = await recordStatus(world, fullId, 'AWAITING_APPROVAL');
    await decideApproval(world.plane.deps, { approvalId: approvalId!, approve: true, by: 'perm-test' });
    expect(await executionEnd(world, full.executionArn)).toBe('SUCCEEDED');

    // Act 3: a rollback after traffic moved, a refusal by the lock, and the safety net.
    const stopped = touch('perm-stopped-fn');
    await existingFunction(world, stopped);
    const bakingId = deploymentId('perm-baking');
    const baking = await startDeployment(world, { deploymentId: bakingId, spec: spec(stopped, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }), artifact: await uploadArtifact(world, 'perm/s2.zip', userCode('s2')) });
    await eventually(async () => (kinds(await historyOf(world, bakingId)).includes('check') ? true : undefined), { what: 'the bake' });
    const refused = await startDeployment(world, { deploymentId: deploymentId('perm-refused'), spec: spec(stopped, { kind: 'allAtOnce' }), artifact: await uploadArtifact(world, 'perm/s3.zip', userCode('s3')) });
    expect(await executionEnd(world, refused.executionArn)).toBe('FAILED');
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn: baking.executionArn }));
    await recordStatus(world, bakingId, 'ROLLED_BACK');
    const broken = touch('perm-broken-fn');
    await existingFunction(world, broken);
    const smokeFails = await startDeployment(world, {
      deploymentId: deploymentId('perm-smoke'),
      spec: spec(broken, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }] }, { health: { alarms: [], checkInterval: 60, smokeTest: { payload: {}, expect: { match: 'exact', value: 'never' } } } }),
      artifact: await uploadArtifact(world, 'perm/b2.zip', userCode('b2')),
    });
    expect(await executionEnd(world, smokeFails.executionArn)).toBe('FAILED');

    // Act 4: the repair loop's scheduled run (nothing is left to repair; it reads everything it would).
    const swept = await world.lambda.send(new InvokeCommand({ FunctionName: world.plane.functions.Sweeper, Payload: Buffer.from('{}') }));
    expect(swept.FunctionError).toBeUndefined();

    // Act 5: the alarm abort — a gating alarm goes to ALARM mid-bake.
    const aborted = touch('perm-abort-fn');
    await existingFunction(world, aborted);
    const gate = `${aborted}-gate`;
    await world.plane.clients.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: gate, Namespace: 'Orders', MetricName: 'Failed', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    const abortId = deploymentId('perm-abort');
    await startDeployment(world, { deploymentId: abortId, spec: spec(aborted, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, { health: { alarms: [gate], checkInterval: 1800, minInvocations: 0 } }), artifact: await uploadArtifact(world, 'perm/a2.zip', userCode('a2')) });
    await eventually(async () => (kinds(await historyOf(world, abortId)).includes('weight') ? true : undefined), { what: 'the abort deployment\'s traffic' });
    await world.plane.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: gate, StateValue: 'ALARM', StateReason: 'perm-test' }));
    await recordStatus(world, abortId, 'ROLLED_BACK');

    // Act 6: a wave run refused before anything moves (its target's role cannot be assumed).
    const waveId = deploymentId('perm-waves');
    const target = { id: 'eu', accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/perm-missing', dependsOn: [] };
    const waves = await world.plane.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: world.plane.wavesStateMachineArn, name: waveId, input: JSON.stringify({ deploymentId: waveId, spec: spec('perm-waves-fn', { kind: 'allAtOnce' }, { targets: [target] }), artifact: await uploadArtifact(world, 'perm/w1.zip', userCode('w1')), startedBy: 'perm-test', source: 'test' }) }));
    expect(await executionEnd(world, waves.executionArn!)).toBe('FAILED');
    await recordStatus(world, waveId, 'REJECTED');

    // Assess
    for (const [fn, allowed] of Object.entries(ENGINE_PERMISSIONS) as [EngineFunction, readonly string[]][]) {
      const made = [...(calls.get(fn) ?? [])].sort();
      expect(made.length, `${fn} was exercised`).toBeGreaterThan(0);
      expect(made.filter((action) => !allowed.includes(action)), `${fn} calls outside its permissions`).toEqual([]);
    }
  });
});
