import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../shared/domain/plan/planner';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { PRESET_NAMES } from '../../shared/domain/spec/presets';
import { TIMEOUT_MARGIN } from '../../shared/domain/spec/rules';

/*
 * Valid specs as users write them: every strategy kind, random weights, pauses, approvals, check
 * intervals, hooks and smoke tests. Each generated spec goes through the real parser first, so the
 * properties hold for what validation accepts, not for hand-built objects.
 */
const prefix = fc.constantFrom('', 'Lambda', 'CodeDeployDefault.Lambda');

const wait = (checkInterval: number) =>
  fc.oneof(
    fc.integer({ min: checkInterval, max: checkInterval * 20 }).map((seconds) => ({ pause: seconds })),
    fc.option(fc.record({ timeout: fc.integer({ min: 60, max: 7200 }) }), { nil: null }).map((approval) => ({ approval })),
  );

const canary = (checkInterval: number) =>
  fc
    .record({
      weights: fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 6 }),
      waits: fc.array(fc.array(wait(checkInterval), { minLength: 1, maxLength: 2 }), { minLength: 6, maxLength: 6 }),
      approvalFirst: fc.boolean(),
      explicitPromotion: fc.boolean(),
    })
    .map(({ weights, waits, approvalFirst, explicitPromotion }) => {
      const steps: object[] = approvalFirst ? [{ approval: null }] : [];
      [...weights].sort((a, b) => a - b).forEach((weight, index) => steps.push({ setWeight: weight }, ...(waits[index] ?? [])));
      if (explicitPromotion) steps.push({ setWeight: 100 });
      return { canary: { steps } };
    });

const linear = (checkInterval: number) =>
  fc.record({
    linear: fc.record({
      percent: fc.oneof(fc.integer({ min: 5, max: 99 }), fc.constantFrom(7.5, 12.5, 33.3, 0.5 * 11)),
      interval: fc.integer({ min: checkInterval, max: checkInterval * 5 }),
    }),
  });

const strategyFor = (checkInterval: number) =>
  fc.oneof(
    canary(checkInterval),
    linear(checkInterval),
    // Presets pause at least a minute: only valid with checks at most every minute.
    checkInterval <= 60 ? fc.tuple(prefix, fc.constantFrom(...PRESET_NAMES)).map(([p, name]) => ({ preset: p + name })) : fc.constant({ allAtOnce: {} }),
    fc.constant({ blueGreen: {} }),
    fc.constant({ allAtOnce: null }),
  );

const writtenSpec = fc.integer({ min: 10, max: 300 }).chain((checkInterval) =>
  fc.record({
    version: fc.constant(1),
    function: fc.constantFrom('orders-api', 'arn:aws:lambda:us-east-1:123456789012:function:orders-api'),
    alias: fc.constantFrom('live', 'prod', 'blue_green-2'),
    artifact: fc.constantFrom({ zip: 'build/x.zip' }, { zip: 's3://builds/x.zip', objectVersion: 'v1' }),
    configuration: fc.constant({ role: 'arn:aws:iam::123456789012:role/x', runtime: 'nodejs22.x', handler: 'index.handler' }),
    strategy: strategyFor(checkInterval),
    health: fc.record({
      checkInterval: fc.constant(checkInterval),
      alarms: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }).map((alarms) => [...new Set(alarms)]),
      smokeTest: fc.constant({ payload: { ping: true } }),
    }),
    hooks: fc.record({ beforeTraffic: fc.constant('pre'), afterTraffic: fc.constant('post') }, { requiredKeys: [] }),
    timeout: fc.constant('7d'),
  }),
);

const valid = fc.tuple(writtenSpec, fc.boolean()).map(([written, functionExists]) => {
  const parsed = parseDeploymentSpec(JSON.stringify(written), 'generated.json');
  if (!parsed.ok) throw new Error(`generator produced an invalid spec: ${JSON.stringify(parsed.problems)}\n${JSON.stringify(written)}`);
  return { spec: parsed.spec, functionExists, plan: planDeployment(parsed.spec, { functionExists }) };
});

/** What a spec may say about evidence: nothing (the defaults), none needed, or its own rule. */
const evidence = fc.oneof(
  fc.constant({}),
  fc.constant({ minInvocations: 0 }),
  fc.record({ minInvocations: fc.integer({ min: 1, max: 500 }), onInsufficientData: fc.constantFrom('pause', 'rollback') }),
  fc.record({ minInvocations: fc.integer({ min: 1, max: 500 }), onInsufficientData: fc.constant('extend'), maxExtension: fc.integer({ min: 10, max: 7200 }) }, { requiredKeys: ['minInvocations'] }),
);

/** A valid spec with an evidence rule and a timeout only just long enough for its waits (plus `slack`). */
const tight = fc.tuple(writtenSpec, evidence, fc.integer({ min: 0, max: 3600 })).map(([written, rule, slack]) => {
  const withRule = { ...written, health: { ...written.health, ...rule } };
  const loose = parseDeploymentSpec(JSON.stringify(withRule), 'generated.json');
  if (!loose.ok) throw new Error(`generator produced an invalid spec: ${JSON.stringify(loose.problems)}\n${JSON.stringify(withRule)}`);
  const waits = planDeployment(loose.spec).trafficSteps.reduce((sum, step) => sum + (step.type === 'pause' ? step.duration : step.type === 'approval' ? step.timeout : 0), 0);
  const parsed = parseDeploymentSpec(JSON.stringify({ ...withRule, timeout: Math.max(60, waits + TIMEOUT_MARGIN + slack) }), 'generated.json');
  if (!parsed.ok) throw new Error(`generator produced an invalid spec: ${JSON.stringify(parsed.problems)}`);
  return { spec: parsed.spec, plan: planDeployment(parsed.spec) };
});

describe('planDeployment, for any valid spec with an evidence rule and a tight timeout', () => {
  it('plans extensions only within the timeout, and a worst case that never beats the plan', () => {
    fc.assert(
      fc.property(tight, ({ spec, plan }) => {
        // Act
        const { shortfalls, worstCase } = plan.evidence;
        const extensions = shortfalls.reduce((sum, shortfall) => sum + shortfall.extension, 0);
        const pauses = plan.actions.filter((planned) => planned.action.kind === 'bake').length;
        // Assess
        expect(shortfalls).toHaveLength(spec.health.minInvocations > 0 ? pauses : 0);
        expect(worstCase.duration).toBe(plan.minimumDuration + extensions);
        expect(worstCase.duration).toBeLessThanOrEqual(Math.max(plan.minimumDuration, spec.timeout - TIMEOUT_MARGIN));
        expect(worstCase.cost.healthChecks).toBe(plan.cost.healthChecks + shortfalls.reduce((sum, shortfall) => sum + shortfall.checks, 0));
        expect(worstCase.cost.stateTransitions).toBeGreaterThanOrEqual(plan.cost.stateTransitions);
        for (const shortfall of shortfalls) {
          const bake = plan.actions[shortfall.action]!.action;
          expect(bake.kind).toBe('bake');
          const policy = spec.health.onInsufficientData;
          expect(shortfall.extension).toBeLessThanOrEqual(policy.action === 'extend' ? (policy.maxExtension ?? (bake.kind === 'bake' ? bake.duration : 0)) : 0);
          expect(shortfall.checks).toBe(Math.ceil(shortfall.extension / spec.health.checkInterval));
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('planDeployment, for any valid spec', () => {
  it('raises traffic weights strictly and ends at 100%', () => {
    fc.assert(
      fc.property(valid, ({ plan }) => {
        // Act
        const weights = plan.trafficSteps.flatMap((step) => (step.type === 'setWeight' ? [step.percent] : []));
        // Assess
        weights.slice(1).forEach((weight, i) => expect(weight).toBeGreaterThan(weights[i]!));
        expect(plan.trafficSteps.at(-1)).toEqual({ type: 'setWeight', percent: 100 });
        expect(weights.every((weight) => weight > 0 && weight <= 100)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('starts each action when the previous one ends and never lowers the traffic', () => {
    fc.assert(
      fc.property(valid, ({ plan }) => {
        // Act
        const actions = plan.actions;
        // Assess
        actions.slice(1).forEach((action, i) => {
          const previous = actions[i]!;
          expect(action.startsAt).toBe(previous.startsAt + previous.duration);
          expect(action.trafficAfter).toBeGreaterThanOrEqual(previous.trafficAfter);
        });
        expect(actions[0]?.startsAt).toBe(0);
        expect(actions.find((planned) => planned.action.kind === 'promote')?.trafficAfter).toBe(100);
      }),
      { numRuns: 400 },
    );
  });

  it('has a minimum duration equal to the sum of its parts', () => {
    fc.assert(
      fc.property(valid, ({ plan }) => {
        // Act
        const sumOfActions = plan.actions.reduce((sum, planned) => sum + planned.duration, 0);
        const sumOfPauses = plan.trafficSteps.reduce((sum, step) => sum + (step.type === 'pause' ? step.duration : 0), 0);
        const last = plan.actions.at(-1)!;
        // Assess
        expect(plan.minimumDuration).toBe(sumOfActions);
        expect(plan.minimumDuration).toBe(sumOfPauses);
        expect(plan.minimumDuration).toBe(last.startsAt + last.duration);
      }),
      { numRuns: 400 },
    );
  });

  it('costs exactly the states and invocations of its steps', () => {
    fc.assert(
      fc.property(valid, ({ plan, spec }) => {
        // Act
        const bakes = plan.actions.flatMap((planned) => (planned.action.kind === 'bake' ? [planned.action] : []));
        const approvals = plan.actions.filter((planned) => planned.action.kind === 'approval').length;
        const checks = bakes.reduce((sum, bake) => sum + bake.checks, 0);
        // Once before the first pause and after each approval: a pause's last check shifts itself.
        const nextStepRuns = approvals + 1;
        // Assess
        for (const bake of bakes) {
          expect(bake.checks * bake.checkInterval).toBeGreaterThanOrEqual(bake.duration);
          expect((bake.checks - 1) * bake.checkInterval).toBeLessThan(bake.duration);
        }
        expect(plan.cost.healthChecks).toBe(checks);
        expect(plan.cost.stateTransitions).toBe(4 + 2 * nextStepRuns + 3 * checks + approvals + 3);
        expect(plan.cost.lambdaInvocations).toBe(3 + nextStepRuns + checks + approvals + 1);
        expect(plan.cost.userInvocations).toBe(1 + Object.keys(spec.hooks).length);
        expect(plan.cost.usd).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  it('moves a first deployment to 100% in one step', () => {
    fc.assert(
      fc.property(valid, ({ plan, functionExists }) => {
        // Assess
        if (!functionExists) {
          expect(plan.trafficSteps).toEqual([{ type: 'setWeight', percent: 100 }]);
          expect(plan.actions.map((planned) => planned.action.kind)).toContain('createFunction');
        } else {
          expect(plan.actions.map((planned) => planned.action.kind)).toContain('updateCode');
        }
      }),
      { numRuns: 200 },
    );
  });
});
