import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDeployment } from '../../shared/domain/plan/planner';
import { decideApproval } from '../../shared/domain/deployment/approval';
import type { DeploymentSpec, GroupShift, StrategySpec } from '../../shared/model/spec';
import { eventually } from '../support/local-aws';
import { deploymentId, ROLE, USER_TIMEOUT, executionEnd, executionHistory, existingFunction, guardAliases, historyOf, recordStatus, spec, startDeployment, startEngine, uploadArtifact, userCode, TIMED_PAUSES, type EngineWorld } from '../support/engine';

/**
 * The planner's cost model (shared/domain/plan/cost.ts) counts the states and task invocations of
 * state-machines/deployment.asl.yml. Here a real execution of each strategy is counted the way AWS
 * bills it and compared with the plan.
 */
describe('the plan agrees with real executions', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  const cases: { label: string; strategy: StrategySpec; extra?: Parameters<typeof spec>[2]; newFunction?: boolean }[] = [
    {
      label: 'first-deployment',
      strategy: { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] },
      extra: { configuration: { runtime: 'nodejs22.x', handler: 'index.handler', role: ROLE, timeout: USER_TIMEOUT } },
      newFunction: true,
    },
    // No traffic reaches these pauses: written as timed waits, the path without extensions.
    { label: 'canary', strategy: { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 150 }] }, extra: { health: TIMED_PAUSES } },
    { label: 'canary-approval', strategy: { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }, { type: 'approval', timeout: 3600 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 120 }] }, extra: { health: TIMED_PAUSES } },
    { label: 'linear', strategy: { kind: 'linear', percent: 25, interval: 60 }, extra: { health: TIMED_PAUSES } },
    // The event-driven abort armed (fledge's alarm on the new version): the pause is checked every 150 s, not every 60 s.
    { label: 'armed-sparse', strategy: { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] }, extra: { health: { ...TIMED_PAUSES, errorRate: { thresholdPercent: 5, minInvocations: 5 }, armedCheckInterval: 150 } } },
    { label: 'all-at-once', strategy: { kind: 'allAtOnce' } },
    { label: 'blue-green', strategy: { kind: 'blueGreen' }, extra: { health: { alarms: [], checkInterval: 60, smokeTest: { payload: {} } } } },
  ];

  for (const { label, strategy, extra, newFunction } of cases) {
    it(`counts the same states, task invocations and checks for ${label}`, async () => {
      // Prepare
      const name = touch(`plan-${label}-fn`);
      if (!newFunction) await existingFunction(world, name);
      const deployment = spec(name, strategy, extra);
      const plan = planDeployment(deployment, { functionExists: !newFunction });
      const id = deploymentId(label);

      // Act
      const { executionArn } = await startDeployment(world, { deploymentId: id, spec: deployment, artifact: await uploadArtifact(world, `${name}/v2.zip`, userCode('v2')) });
      if (strategy.kind === 'canary' && strategy.steps.some((step) => step.type === 'approval')) {
        const { approvalId } = await recordStatus(world, id, 'AWAITING_APPROVAL');
        await decideApproval(world.plane.deps, { approvalId: approvalId!, approve: true, by: 'planner-test' });
      }
      const status = await executionEnd(world, executionArn);
      const history = await executionHistory(world, executionArn);

      // Assess
      expect(status).toBe('SUCCEEDED');
      const entered = history.filter((event) => event.type?.endsWith('StateEntered')).length;
      const invocations = history.filter((event) => event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled').length;
      const checks = (await historyOf(world, id)).filter((event) => event.kind === 'check').length;
      if (label === 'armed-sparse') expect(plan.cost.healthChecks).toBe(2);
      expect({ stateTransitions: entered, lambdaInvocations: invocations, healthChecks: checks }).toEqual({
        stateTransitions: plan.cost.stateTransitions,
        lambdaInvocations: plan.cost.lambdaInvocations,
        healthChecks: plan.cost.healthChecks,
      });
    });
  }

  it('counts the worst case when no traffic comes: every pause extended to its limit, then approved by a person', async () => {
    // Prepare: nobody calls the alias; each pause may take 2 minutes more, then asks a person.
    const name = touch('plan-worst-case-fn');
    await existingFunction(world, name);
    const strategy: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }, { type: 'approval', timeout: 3600 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 60 }] };
    const deployment = spec(name, strategy, { health: { onInsufficientData: { action: 'extend', maxExtension: 120, then: 'pause' } } });
    const plan = planDeployment(deployment);
    const id = deploymentId('worst-case');

    // Act: approve whatever is asked (the two pauses short of evidence and the approval step), as it is asked.
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: deployment, artifact: await uploadArtifact(world, `${name}/v2.zip`, userCode('v2')) });
    const approved: string[] = [];
    const status = await eventually(async () => {
      const record = await world.plane.deps.store.getDeployment(id);
      if (record?.status === 'AWAITING_APPROVAL' && record.approvalId && !approved.includes(record.approvalId)) {
        approved.push(record.approvalId);
        await decideApproval(world.plane.deps, { approvalId: record.approvalId, approve: true, by: 'planner-test' });
      }
      return record?.status === 'SUCCEEDED' || record?.status === 'ROLLED_BACK' ? record.status : undefined;
    }, { timeoutMs: 60_000, intervalMs: 50, what: `deployment ${id} to end` });
    await executionEnd(world, executionArn);
    const history = await executionHistory(world, executionArn);

    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(approved).toEqual([`${id}.a1`, `${id}.a2`, `${id}.a4`]);
    const entered = history.filter((event) => event.type?.endsWith('StateEntered')).length;
    const invocations = history.filter((event) => event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled').length;
    const checks = (await historyOf(world, id)).filter((event) => event.kind === 'check').length;
    expect({ stateTransitions: entered, lambdaInvocations: invocations, healthChecks: checks }).toEqual({
      stateTransitions: plan.evidence.worstCase.cost.stateTransitions,
      lambdaInvocations: plan.evidence.worstCase.cost.lambdaInvocations,
      healthChecks: plan.evidence.worstCase.cost.healthChecks,
    });
  });

  // A group's Check only judges: each pause that ends green is followed by a NextStep run; an ordered group walks once per member.
  for (const shift of ['lockstep', 'ordered'] as const satisfies readonly GroupShift[]) {
    it(`counts the same states, task invocations and checks for a ${shift} group of two`, async () => {
      // Prepare
      const names = [touch(`plan-grp-${shift}-api`), touch(`plan-grp-${shift}-worker`)];
      for (const name of names) await existingFunction(world, name);
      const artifacts = await Promise.all(names.map((name) => uploadArtifact(world, `${name}/v2.zip`, userCode('v2'))));
      const strategy: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 120 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 60 }] };
      const deployment: DeploymentSpec = {
        ...spec(names[0]!, strategy, { health: TIMED_PAUSES }),
        group: { shift, members: names.map((name, index) => ({ function: { name }, alias: 'live', artifact: { kind: 'zip', bucket: artifacts[index]!.bucket, key: artifacts[index]!.key } })) },
      };
      const plan = planDeployment(deployment);
      const id = deploymentId(`grp-${shift}`);

      // Act
      const { executionArn } = await startDeployment(world, { deploymentId: id, spec: deployment, artifact: artifacts[0]! });
      const status = await executionEnd(world, executionArn);
      const history = await executionHistory(world, executionArn);

      // Assess
      expect(status).toBe('SUCCEEDED');
      const entered = history.filter((event) => event.type?.endsWith('StateEntered')).length;
      const invocations = history.filter((event) => event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled').length;
      const checks = history.filter((event) => event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name === 'Check').length;
      expect({ stateTransitions: entered, lambdaInvocations: invocations, healthChecks: checks }).toEqual({
        stateTransitions: plan.cost.stateTransitions,
        lambdaInvocations: plan.cost.lambdaInvocations,
        healthChecks: plan.cost.healthChecks,
      });
      // The plan's timeline walks as the execution did: an ordered group's members one after another.
      const shifts = plan.actions.flatMap((planned) => (planned.action.kind === 'setWeight' ? [`${planned.action.member ?? 'all'} ${planned.action.percent}`] : []));
      expect(shifts).toEqual(shift === 'ordered' ? ['0 10', '0 50', '0 100', '1 10', '1 50'] : ['all 10', 'all 50']);
    });
  }
});
