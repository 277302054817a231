import { describe, expect, it } from 'vitest';
import { PlanError } from '../../shared/domain/plan/errors';
import { planDeployment } from '../../shared/domain/plan/planner';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { DeploymentSpec } from '../../shared/model/spec';

function specFrom(text: string): DeploymentSpec {
  const result = parseDeploymentSpec(text, 'spec.yaml');
  if (!result.ok) throw new Error(`test spec is invalid: ${JSON.stringify(result.problems)}`);
  return result.spec;
}

const base = (strategy: string, extra = ''): string =>
  `version: 1\nfunction: orders-api\nalias: live\nartifact: { zip: build/x.zip }\nstrategy: ${strategy}\n${extra}`;

describe('planDeployment', () => {
  it('plans a preset canary: 10%, a 5-minute bake checked every minute, then promotion', () => {
    // Prepare
    const spec = specFrom(base('{ preset: Canary10Percent5Minutes }'));
    // Act
    const plan = planDeployment(spec);
    // Assess
    expect(plan.actions.map(({ startsAt, duration, action, trafficAfter }) => [startsAt, duration, action, trafficAfter])).toEqual([
      [0, 0, { kind: 'prepare' }, 0],
      [0, 0, { kind: 'updateCode' }, 0],
      [0, 0, { kind: 'publishVersion' }, 0],
      [0, 0, { kind: 'setWeight', percent: 10 }, 10],
      [0, 300, { kind: 'bake', duration: 300, checkInterval: 60, checks: 5 }, 10],
      [300, 0, { kind: 'promote' }, 100],
    ]);
    expect(plan.trafficSteps).toEqual([
      { type: 'setWeight', percent: 10 },
      { type: 'pause', duration: 300 },
      { type: 'setWeight', percent: 100 },
    ]);
    expect(plan.minimumDuration).toBe(300);
  });

  it('counts the cost of a canary the way the state machine runs it', () => {
    // Prepare: 2 pauses (10 + 3 checks), 1 approval, a smoke test and two hooks.
    const spec = specFrom(
      base(
        '{ canary: { steps: [{setWeight: 5}, {pause: 10m}, {approval: }, {setWeight: 50}, {pause: 150s}] } }',
        'health: { smokeTest: { payload: {} } }\nhooks: { beforeTraffic: pre, afterTraffic: post }\ntimeout: 2h\n',
      ),
    );
    // Act
    const { cost } = planDeployment(spec);
    // Assess: 4 + NextStep 2×(1 + 1 after the approval) + checks 3×13 + approval 1 + Promote/AfterPromote/Succeeded 3
    // (a pause's last check applies the next weight itself: no NextStep after a pause).
    expect(cost.stateTransitions).toBe(4 + 4 + 39 + 1 + 3);
    // Prepare, Publish, PreTraffic + 2 NextStep + 13 checks + 1 approval + Promote.
    expect(cost.lambdaInvocations).toBe(3 + 2 + 13 + 1 + 1);
    expect(cost.healthChecks).toBe(13);
    expect(cost.userInvocations).toBe(3);
    expect(cost.usd).toBeCloseTo(51 * 0.000025 + 20 * (0.0000002 + 0.25 * 0.2 * 0.0000166667), 12);
  });

  it('checks a long pause sparsely when the event-driven abort is armed and the spec says how sparsely', () => {
    // Prepare: a 24-hour bake gated by an alarm, checked every minute or, while armed, hourly.
    const text = (extra: string) => specFrom(base('{ canary: { steps: [{setWeight: 10}, {pause: 24h}] } }', `health: { alarms: [orders-errors], minInvocations: 0${extra} }\ntimeout: 25h\n`));
    // Act
    const polled = planDeployment(text(''));
    const sparse = planDeployment(text(', armedCheckInterval: 1h'));
    // Assess
    expect(polled.cost).toMatchObject({ healthChecks: 1440, stateTransitions: 4 + 2 + 3 * 1440 + 3 });
    expect(sparse.cost).toMatchObject({ healthChecks: 24, stateTransitions: 4 + 2 + 3 * 24 + 3, lambdaInvocations: 3 + 1 + 24 + 1 });
    expect(sparse.actions.find((planned) => planned.action.kind === 'bake')?.action).toMatchObject({ checkInterval: 3600, checks: 24 });
  });

  it('costs a weight step with one health check 3 state transitions and 1 fledge invocation', () => {
    // Prepare: linear steps of one check each (interval = checkInterval), four and five of them.
    const steps = (percent: number) => specFrom(base(`{ linear: { percent: ${percent}, interval: 1m } }`, 'health: { checkInterval: 1m, minInvocations: 0 }\n'));
    // Act
    const four = planDeployment(steps(25)).cost;
    const five = planDeployment(steps(20)).cost;
    // Assess: Bake (Wait), Check (which checks, then shifts), AfterCheck.
    expect(five.stateTransitions - four.stateTransitions).toBe(3);
    expect(five.lambdaInvocations - four.lambdaInvocations).toBe(1);
  });

  it('records approvals at the moment they are reached and counts them as instant', () => {
    // Prepare
    const spec = specFrom(base('{ canary: { steps: [{setWeight: 10}, {pause: 5m}, {approval: {timeout: 2h, message: Go?}}] } }', 'timeout: 3h\n'));
    // Act
    const plan = planDeployment(spec);
    // Assess
    expect(plan.actions.slice(-2)).toEqual([
      { startsAt: 300, duration: 0, action: { kind: 'approval', timeout: 7200, message: 'Go?' }, trafficAfter: 10 },
      { startsAt: 300, duration: 0, action: { kind: 'promote' }, trafficAfter: 100 },
    ]);
    expect(plan.minimumDuration).toBe(300);
  });

  it('plans a linear strategy as equal steps up to 100%', () => {
    // Prepare
    const spec = specFrom(base('{ linear: { percent: 30, interval: 2m } }'));
    // Act
    const plan = planDeployment(spec);
    // Assess
    expect(plan.trafficSteps.filter((step) => step.type === 'setWeight').map((step) => step.type === 'setWeight' && step.percent)).toEqual([30, 60, 90, 100]);
    expect(plan.minimumDuration).toBe(360);
  });

  it('plans blue/green as smoke test, then all traffic at once', () => {
    // Prepare
    const spec = specFrom(base('{ blueGreen: {} }', 'health: { smokeTest: { payload: { ping: true }, expect: { subset: { ok: true } } } }\n'));
    // Act
    const plan = planDeployment(spec);
    // Assess
    expect(plan.actions.map((planned) => planned.action.kind)).toEqual(['prepare', 'updateCode', 'publishVersion', 'smokeTest', 'promote']);
    expect(plan.cost).toMatchObject({ stateTransitions: 9, lambdaInvocations: 5, userInvocations: 1, healthChecks: 0 });
  });

  it('applies the configuration before the code and runs hooks around the traffic moves', () => {
    // Prepare
    const spec = specFrom(base('{ allAtOnce: }', 'configuration: { memorySize: 512 }\nhooks: { beforeTraffic: pre, afterTraffic: post }\ncleanup: { keepVersions: 3 }\n'));
    // Act
    const plan = planDeployment(spec);
    // Assess
    expect(plan.actions.map((planned) => planned.action)).toEqual([
      { kind: 'prepare' },
      { kind: 'updateConfiguration' },
      { kind: 'updateCode' },
      { kind: 'publishVersion' },
      { kind: 'hook', phase: 'beforeTraffic', functionName: 'pre' },
      { kind: 'promote' },
      { kind: 'hook', phase: 'afterTraffic', functionName: 'post' },
      { kind: 'cleanup', keepVersions: 3 },
    ]);
  });

  it('sends a first deployment straight to 100%, whatever the strategy', () => {
    // Prepare
    const spec = specFrom(
      base('{ preset: Linear10PercentEvery1Minute }', 'configuration: { role: "arn:aws:iam::123456789012:role/x", runtime: nodejs22.x, handler: index.handler }\n'),
    );
    // Act
    const plan = planDeployment(spec, { functionExists: false });
    // Assess
    expect(plan.actions.map((planned) => planned.action.kind)).toEqual(['prepare', 'createFunction', 'publishVersion', 'promote']);
    expect(plan.trafficSteps).toEqual([{ type: 'setWeight', percent: 100 }]);
    expect(plan.minimumDuration).toBe(0);
    expect(plan.cost).toMatchObject({ stateTransitions: 9, lambdaInvocations: 5 });
  });

  it('shows how far each pause may stretch without the invocations it needs, and the worst case, leaving the plan as it was', () => {
    // Prepare: 10 invocations per pause by default; no approval step, so a pause still short rolls back.
    const spec = specFrom(base('{ preset: Canary10Percent5Minutes }'));
    // Act
    const plan = planDeployment(spec);
    // Assess: the bake may take as long again (5 more checks); the plan's own cost stays the path with evidence.
    expect(plan.evidence.shortfalls).toEqual([{ action: 4, minInvocations: 10, extension: 300, checks: 5, then: 'rollback' }]);
    expect(plan.minimumDuration).toBe(300);
    expect(plan.cost.healthChecks).toBe(5);
    expect(plan.evidence.worstCase).toMatchObject({ duration: 600, cost: { healthChecks: 10, stateTransitions: plan.cost.stateTransitions + 15, lambdaInvocations: plan.cost.lambdaInvocations + 5 } });
  });

  it('plans no extension beyond what the timeout leaves for the rest of the walk', () => {
    // Prepare: nine 3-minute pauses in a 30-minute deployment leave 2 minutes beyond the 1-minute margin.
    const spec = specFrom(base('{ preset: Linear10PercentEvery3Minutes }', 'health: { maxExtension: 10m }\n'));
    // Act
    const { shortfalls, worstCase } = planDeployment(spec).evidence;
    // Assess
    expect(shortfalls.map((shortfall) => shortfall.extension)).toEqual([120, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(worstCase.duration).toBe(27 * 60 + 120);
  });

  it('counts an approval for each pause that asks a person, and nothing when pauses need no evidence', () => {
    // Prepare
    const asks = specFrom(base('{ canary: { steps: [{setWeight: 10}, {pause: 5m}, {setWeight: 50}, {pause: 5m}] } }', 'health: { minInvocations: 100, onInsufficientData: pause }\n'));
    const waits = specFrom(base('{ preset: Canary10Percent5Minutes }', 'health: { minInvocations: 0 }\n'));
    // Act
    const asking = planDeployment(asks);
    const waiting = planDeployment(waits);
    // Assess: Check → AfterCheck → RequestApproval → NextStep → Route instead of the Check shifting
    // itself: 3 more states and 2 more invocations per pause that asks.
    expect(asking.evidence.shortfalls.map(({ extension, then }) => ({ extension, then }))).toEqual([{ extension: 0, then: 'pause' }, { extension: 0, then: 'pause' }]);
    expect(asking.evidence.worstCase.cost.stateTransitions).toBe(asking.cost.stateTransitions + 6);
    expect(asking.evidence.worstCase.cost.lambdaInvocations).toBe(asking.cost.lambdaInvocations + 4);
    expect(waiting.evidence).toEqual({ minInvocations: 0, shortfalls: [], worstCase: { duration: waiting.minimumDuration, cost: waiting.cost } });
  });

  it('refuses to plan the creation of a function the spec cannot create', () => {
    // Prepare
    const spec = specFrom(base('{ allAtOnce: {} }'));
    // Act
    const act = () => planDeployment(spec, { functionExists: false });
    // Assess
    expect(act).toThrow(PlanError);
    expect(act).toThrow(/configuration.role, configuration.runtime, configuration.handler are required/);
  });
});
