import { describe, expect, it } from 'vitest';
import { judgeCheck, startBake } from '../../shared/domain/deployment/bake';
import { countsSince, onInsufficientData } from '../../shared/domain/deployment/evidence';
import { describePromotion } from '../../shared/model/deployment';
import { evidenceRuleOf } from '../../shared/domain/spec/evidence';
import type { HealthSpec, InsufficientDataPolicy, TrafficStep } from '../../shared/model/spec';

const t0 = Date.parse('2026-11-22T10:00:00.000Z');
const green = [{ name: 'a', state: 'OK' as const }, { name: 'b', state: 'INSUFFICIENT_DATA' as const }];

/** A 5-minute bake checked every minute, at its last scheduled check. */
function lastCheckOf(duration = 300, interval = 60) {
  const bake = startBake(t0, duration, interval);
  return { ...bake, nextCheckAt: new Date(bake.until).toISOString(), checks: Math.ceil(duration / interval) - 1 };
}

describe('judging whether a pause has its evidence', () => {
  it('never ends a pause on too few invocations of the new version, however green the alarms', () => {
    // Prepare
    const bake = lastCheckOf();
    const short = { version: '3', invocations: 2, required: 10 };

    // Act
    const verdict = judgeCheck({ now: bake.until, record: {}, alarms: green, evidence: short, bake });
    const noTraffic = judgeCheck({ now: bake.until, record: {}, alarms: [], evidence: { ...short, invocations: 0 }, bake });

    // Assess
    expect(verdict).toEqual({ kind: 'insufficient', evidence: short });
    expect(noTraffic.kind).toBe('insufficient');
  });

  it('ends the pause once the new version served what the spec requires, or when it requires nothing', () => {
    // Prepare
    const bake = lastCheckOf();

    // Act / Assess
    expect(judgeCheck({ now: bake.until, record: {}, alarms: green, evidence: { version: '3', invocations: 10, required: 10 }, bake }).kind).toBe('next');
    expect(judgeCheck({ now: bake.until, record: {}, alarms: green, bake }).kind).toBe('next');
  });

  it('judges evidence only at the pause\'s end, after stop, deadline and health, and lets a person\'s promote-now through', () => {
    // Prepare
    const bake = startBake(t0, 300, 60);
    const last = lastCheckOf();
    const none = { version: '3', invocations: 0, required: 10 };

    // Act / Assess
    expect(judgeCheck({ now: t0 + 60_000, record: {}, alarms: green, evidence: none, bake }).kind).toBe('bake');
    expect(judgeCheck({ now: last.until, record: { stopRequested: { by: 'dave', at: t0 } }, alarms: green, evidence: none, bake: last }).kind).toBe('stop');
    expect(judgeCheck({ now: last.until, record: {}, alarms: [{ name: 'a', state: 'ALARM' }], evidence: none, bake: last }).kind).toBe('unhealthy');
    expect(judgeCheck({ now: last.until, record: { promoteRequested: { by: 'carol', at: t0 } }, alarms: green, evidence: none, bake: last }).kind).toBe('promote');
  });

  it('judges the error rate over the whole pause before moving on when no window between two checks had enough invocations', () => {
    // Prepare: 1 error in 4 calls since the last check (below the floor of 10); 3 in 12 over the pause.
    const limits = { version: '8', thresholdPercent: 5, minInvocations: 10 };
    const rates = { errorRate: { ...limits, errors: 1, invocations: 4 }, stepErrorRate: { ...limits, errors: 3, invocations: 12 } };
    const last = lastCheckOf();

    // Act
    const atEnd = judgeCheck({ now: last.until, record: {}, alarms: green, ...rates, evidence: { version: '8', invocations: 12, required: 10 }, bake: last });
    const promoteNow = judgeCheck({ now: t0, record: { promoteRequested: { by: 'carol', at: t0 } }, alarms: green, ...rates, bake: startBake(t0, 300, 60) });
    const midPause = judgeCheck({ now: t0, record: {}, alarms: green, ...rates, bake: startBake(t0, 300, 60) });

    // Assess
    expect(atEnd).toEqual({ kind: 'unhealthy', reason: 'error rate of version 8 over this step is 25% (3 errors in 12 invocations), above 5%' });
    expect(promoteNow.kind).toBe('unhealthy');
    expect(midPause.kind).toBe('bake');
  });
});

describe('what a pause short of evidence does', () => {
  const extend = (maxExtension?: number, then: 'pause' | 'rollback' = 'rollback'): InsufficientDataPolicy => ({ action: 'extend', ...(maxExtension === undefined ? {} : { maxExtension }), then });

  it('extends the pause one check interval at a time up to maxExtension, then does what the spec says next', () => {
    // Prepare: a 5-minute pause checked every minute may take 150 s more.
    let bake = lastCheckOf();
    const ends: string[] = [];

    // Act
    let step = onInsufficientData({ policy: extend(150), bake, now: bake.until, laterSteps: [] });
    while (step.kind === 'extend') {
      bake = step.bake;
      ends.push(bake.nextCheckAt);
      step = onInsufficientData({ policy: extend(150), bake, now: bake.until, laterSteps: [] });
    }

    // Assess: 60 s, 60 s, then the 30 s left; the next check is always the new end.
    expect(ends).toEqual(['2026-11-22T10:06:00.000Z', '2026-11-22T10:07:00.000Z', '2026-11-22T10:07:30.000Z']);
    expect(bake).toMatchObject({ plannedUntil: t0 + 300_000, extensionLimit: t0 + 450_000, until: t0 + 450_000 });
    expect(step.kind).toBe('rollback');
  });

  it('extends by default as long as the pause itself, and then asks a person when the spec says so', () => {
    // Prepare
    let bake = lastCheckOf(120, 60);
    let extensions = 0;

    // Act
    let step = onInsufficientData({ policy: extend(undefined, 'pause'), bake, now: bake.until, laterSteps: [] });
    while (step.kind === 'extend') {
      extensions += 1;
      bake = step.bake;
      step = onInsufficientData({ policy: extend(undefined, 'pause'), bake, now: bake.until, laterSteps: [] });
    }

    // Assess
    expect(extensions).toBe(2);
    expect(bake.until - bake.startedAt).toBe(240_000);
    expect(step.kind).toBe('pause');
  });

  it('never extends into the time the deployment\'s timeout keeps for the rest of the walk', () => {
    // Prepare: 10 minutes left after the pause; a 3-minute pause and a 5-minute approval still to come, and 1 minute of margin.
    const bake = lastCheckOf();
    const later: TrafficStep[] = [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 180 }, { type: 'approval', timeout: 300 }];
    const deadline = bake.until + 600_000;

    // Act
    const room = onInsufficientData({ policy: extend(3600), bake, now: bake.until, deadline, laterSteps: later });
    const none = onInsufficientData({ policy: extend(3600), bake, now: bake.until, deadline: bake.until + 480_000, laterSteps: later });

    // Assess: 600 − 480 − 60 = 60 s of extension; with 480 s left, none at all.
    expect(room).toMatchObject({ kind: 'extend', bake: { extensionLimit: bake.until + 60_000 } });
    expect(none).toEqual({ kind: 'rollback' });
  });

  it('asks a person or rolls back at once when the spec says pause or rollback', () => {
    // Prepare
    const bake = lastCheckOf();

    // Act / Assess
    expect(onInsufficientData({ policy: { action: 'pause' }, bake, now: bake.until, laterSteps: [] })).toEqual({ kind: 'pause' });
    expect(onInsufficientData({ policy: { action: 'rollback' }, bake, now: bake.until, laterSteps: [] })).toEqual({ kind: 'rollback' });
  });
});

describe('the evidence rule of a spec', () => {
  const health = (fields: Partial<HealthSpec>) => fields;

  it('requires the error rate\'s own floor by default, else ten invocations, even without any health signal', () => {
    // Act / Assess
    expect(evidenceRuleOf(health({ errorRate: { thresholdPercent: 5, minInvocations: 25 } }), { kind: 'allAtOnce' }).minInvocations).toBe(25);
    expect(evidenceRuleOf(health({ alarms: ['a'] }), { kind: 'allAtOnce' }).minInvocations).toBe(10);
    expect(evidenceRuleOf(health({}), { kind: 'allAtOnce' }).minInvocations).toBe(10);
  });

  it('extends by default, then asks a person only when the strategy has approval steps, and keeps what the spec wrote', () => {
    // Prepare
    const withApproval = { kind: 'canary' as const, steps: [{ type: 'setWeight' as const, percent: 10 }, { type: 'approval' as const, timeout: 60 }] };

    // Act / Assess
    expect(evidenceRuleOf({}, withApproval).onInsufficientData).toEqual({ action: 'extend', then: 'pause' });
    expect(evidenceRuleOf({}, { kind: 'linear', percent: 10, interval: 60 }).onInsufficientData).toEqual({ action: 'extend', then: 'rollback' });
    expect(evidenceRuleOf({ minInvocations: 0, onInsufficientData: { action: 'pause' } }, withApproval)).toEqual({ minInvocations: 0, onInsufficientData: { action: 'pause' } });
  });
});

describe('counting the new version\'s invocations', () => {
  const series = [
    { minute: t0 - 120_000, errors: 0, invocations: 7 },
    { minute: t0 - 60_000, errors: 1, invocations: 5 },
    { minute: t0, errors: 2, invocations: 3 },
  ];

  it('sums the minutes from the one a span starts in, which CloudWatch cannot split', () => {
    // Act / Assess
    expect(countsSince(series, t0 - 30_000)).toEqual({ errors: 3, invocations: 8 });
    expect(countsSince(series, t0 - 120_000)).toEqual({ errors: 3, invocations: 15 });
    expect(countsSince(series, t0 + 60_000)).toEqual({ errors: 0, invocations: 0 });
  });

  it('says on how many invocations a version was promoted, and when a person let a pause through short of them', () => {
    // Act / Assess
    expect(describePromotion({ version: '2', invocations: 57, minInvocations: 10, checks: 5, shortSteps: 0 })).toBe('promoted on 57 invocations of version 2 (10 required per pause)');
    expect(describePromotion({ version: '3', invocations: 1, minInvocations: 10, checks: 8, shortSteps: 1 })).toBe('promoted on 1 invocation of version 3 (10 required per pause; 1 pause moved on short of evidence because a person said so)');
    expect(describePromotion({ version: '4', invocations: 0, minInvocations: 10, checks: 0, shortSteps: 0 })).toBe('promoted on 0 invocations of version 4 (no health check watched it: no pause before all traffic moved)');
  });
});
