import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupSchedule } from '../../shared/domain/spec/group-schedule';
import { expandTrafficSteps } from '../../shared/domain/spec/traffic';
import type { StrategySpec } from '../../shared/model/spec';

const APPROVAL = { timeout: 3600 };

/** Canary and linear strategies as the schema admits them: weights rising strictly, pauses and approvals between. */
const strategies: fc.Arbitrary<StrategySpec> = fc.oneof(
  fc.record({ percent: fc.integer({ min: 1, max: 99 }), interval: fc.integer({ min: 60, max: 3600 }) }).map(({ percent, interval }): StrategySpec => ({ kind: 'linear', percent, interval })),
  fc
    .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 })
    .chain((weights) => fc.tuple(fc.constant([...weights].sort((a, b) => a - b)), fc.array(fc.boolean(), { minLength: weights.length, maxLength: weights.length })))
    .map(([weights, approvals]): StrategySpec => ({
      kind: 'canary',
      steps: weights.flatMap((percent, index) => (percent === 100 ? [{ type: 'setWeight' as const, percent }] : [{ type: 'setWeight' as const, percent }, approvals[index] ? { type: 'approval' as const, timeout: 600 } : { type: 'pause' as const, duration: 300 }])),
    })),
  fc.constant<StrategySpec>({ kind: 'allAtOnce' }),
);

describe('the weights a lockstep group walks', () => {
  it('puts every member at the same weight at each moment', () => {
    fc.assert(
      fc.property(strategies, fc.integer({ min: 2, max: 10 }), fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), (strategy, members, failAt) => {
        for (const moment of groupSchedule(expandTrafficSteps(strategy), members, APPROVAL, failAt)) {
          expect(moment.weights).toHaveLength(members);
          expect(new Set(moment.weights).size).toBe(1);
        }
      }),
    );
  });

  it('only rises until it ends, and ends at 100 when it succeeds or at 0 when it fails', () => {
    fc.assert(
      fc.property(strategies, fc.integer({ min: 2, max: 10 }), fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }), (strategy, members, failAt) => {
        const moments = groupSchedule(expandTrafficSteps(strategy), members, APPROVAL, failAt);
        const last = moments.at(-1)!;
        const walk = moments.slice(0, -1).map((moment) => moment.weights[0]!);
        for (let i = 1; i < walk.length; i += 1) expect(walk[i]!).toBeGreaterThan(walk[i - 1]!);
        for (const weight of walk) expect(weight).toBeGreaterThan(0);
        for (const weight of walk) expect(weight).toBeLessThan(100);
        if (last.then === 'promote') expect(last.weights.every((weight) => weight === 100)).toBe(true);
        else {
          expect(last.then).toBe('rollback');
          expect(last.weights.every((weight) => weight === 0)).toBe(true);
        }
      }),
    );
  });

  it('stops at every pause and approval of the strategy, never between them', () => {
    fc.assert(
      fc.property(strategies, (strategy) => {
        const steps = expandTrafficSteps(strategy);
        const waits = steps.filter((step) => (step.type === 'pause' && step.duration > 0) || step.type === 'approval').length;
        const moments = groupSchedule(steps, 2, APPROVAL);
        // Waits after the last weight below 100 still stop; a promotion ends the walk.
        expect(moments.filter((moment) => moment.then !== 'promote')).toHaveLength(Math.min(waits, moments.length - 1));
      }),
    );
  });
});

describe('the weights an ordered group walks', () => {
  const schedules = fc.tuple(strategies, fc.integer({ min: 2, max: 10 }), fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }));

  it('has at most one member between 0 and 100 at each moment, those before it at 100 and those after it at 0', () => {
    fc.assert(
      fc.property(schedules, ([strategy, members, failAt]) => {
        for (const moment of groupSchedule(expandTrafficSteps(strategy), members, APPROVAL, failAt, 'ordered')) {
          expect(moment.weights).toHaveLength(members);
          const walking = moment.weights.findIndex((weight) => weight < 100);
          const split = moment.weights.filter((weight) => weight > 0 && weight < 100);
          expect(split.length).toBeLessThanOrEqual(1);
          if (walking === -1) continue;
          expect(moment.weights.slice(0, walking).every((weight) => weight === 100)).toBe(true);
          expect(moment.weights.slice(walking + 1).every((weight) => weight === 0)).toBe(true);
        }
      }),
    );
  });

  it('never lowers a member\'s weight until it ends, and ends with every member at 100 when it succeeds or at 0 when it fails', () => {
    fc.assert(
      fc.property(schedules, ([strategy, members, failAt]) => {
        const moments = groupSchedule(expandTrafficSteps(strategy), members, APPROVAL, failAt, 'ordered');
        const last = moments.at(-1)!;
        const walk = moments.slice(0, -1);
        for (let i = 1; i < walk.length; i += 1) {
          for (let member = 0; member < members; member += 1) expect(walk[i]!.weights[member]!).toBeGreaterThanOrEqual(walk[i - 1]!.weights[member]!);
        }
        if (last.then === 'promote') expect(last.weights.every((weight) => weight === 100)).toBe(true);
        else {
          expect(last.then).toBe('rollback');
          expect(last.weights.every((weight) => weight === 0)).toBe(true);
        }
      }),
    );
  });

  it('walks each member through every stop of the strategy, one member after another', () => {
    fc.assert(
      fc.property(strategies, fc.integer({ min: 2, max: 10 }), (strategy, members) => {
        const steps = expandTrafficSteps(strategy);
        const alone = groupSchedule(steps, 1, APPROVAL).filter((moment) => moment.then !== 'promote');
        const moments = groupSchedule(steps, members, APPROVAL, undefined, 'ordered');
        // Each member's stops are a lone walk's, in the members' order: member m's at [m·k, (m+1)·k).
        expect(moments.filter((moment) => moment.then !== 'promote')).toHaveLength(alone.length * members);
        moments.slice(0, -1).forEach((moment, index) => {
          const member = Math.floor(index / alone.length);
          expect(moment.then).toBe(alone[index % alone.length]!.then);
          expect(moment.weights[member]).toBe(alone[index % alone.length]!.weights[0]);
        });
      }),
    );
  });
});
