import { describe, expect, it } from 'vitest';
import { changeAlias, restoreAlias } from '../../shared/domain/deployment/alias';
import { advanceBake, judgeCheck, startBake } from '../../shared/domain/deployment/bake';
import { AliasDriftedError, DeploymentFinishedError, InvalidTaskInputError, TransientAwsError } from '../../shared/model/engine-errors';
import { eventKeys } from '../../shared/domain/deployment/events';
import { parseStatusChangeEvent } from '../../functions/lib/events';
import { parseEngineState } from '../../shared/domain/deployment/input';
import type { DeploymentRecord } from '../../shared/model/deployment';
import { reasonFrom } from '../../shared/domain/deployment/reason';
import { describeRouting, isSplit, percentOn, routingFor, sameRouting } from '../../shared/domain/deployment/routing';
import { trafficStepsFor, walkSteps } from '../../shared/domain/spec/steps';
import type { TrafficStep } from '../../shared/model/spec';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import type { LambdaRegistry } from '../../shared/ports/lambda-registry';
import { spec } from '../support/engine';
import { FakeAliases, FakeRecords } from '../support/engine-fakes';

const approvalDefaults = { timeout: 600, message: 'default message' };

describe('walking the traffic steps', () => {
  it('collapses consecutive weights into one alias update and stops at the next pause', () => {
    // Prepare
    const steps: TrafficStep[] = [{ type: 'setWeight', percent: 5 }, { type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }, { type: 'setWeight', percent: 100 }];

    // Act
    const walk = walkSteps(steps, 0, approvalDefaults);

    // Assess
    expect(walk).toEqual({ weight: { percent: 10, stepIndex: 1 }, stop: { kind: 'bake', duration: 300 }, nextIndex: 3 });
  });

  it('skips zero-length pauses and treats setWeight 100 as the promotion', () => {
    // Act
    const walk = walkSteps([{ type: 'setWeight', percent: 20 }, { type: 'pause', duration: 0 }, { type: 'setWeight', percent: 100 }], 0, approvalDefaults);

    // Assess: no 20% is set when the next move is to 100% anyway.
    expect(walk).toEqual({ stop: { kind: 'promote' }, nextIndex: 3 });
  });

  it('stops at an approval with the step index and the spec\'s default message', () => {
    // Act
    const walk = walkSteps([{ type: 'approval', timeout: 120 }, { type: 'setWeight', percent: 100 }], 0, approvalDefaults);

    // Assess
    expect(walk).toEqual({ stop: { kind: 'approval', timeout: 120, stepIndex: 0, message: 'default message' }, nextIndex: 1 });
  });

  it('promotes when the steps run out', () => {
    expect(walkSteps([{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }], 2, approvalDefaults)).toEqual({ stop: { kind: 'promote' }, nextIndex: 2 });
  });

  it('goes straight to 100% when there is no alias to shift from', () => {
    // Prepare
    const canary = spec('fn', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] });

    // Act / Assess
    expect(trafficStepsFor(canary, { aliasExists: false })).toEqual([{ type: 'setWeight', percent: 100 }]);
    expect(trafficStepsFor(canary, { aliasExists: true })).toEqual([{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }, { type: 'setWeight', percent: 100 }]);
  });
});

describe('baking and judging health checks', () => {
  const t0 = Date.parse('2026-11-22T10:00:00.000Z');

  it('schedules checks from the bake\'s start, not from when each check ran, and ends exactly at the bake\'s end', () => {
    // Prepare: 150 s bake, a check every 60 s, each check running late.
    let bake = startBake(t0, 150, 60);
    const times = [bake.nextCheckAt];

    // Act
    while (Date.parse(bake.nextCheckAt) < bake.until) {
      bake = advanceBake(bake);
      times.push(bake.nextCheckAt);
    }

    // Assess: ceil(150 / 60) = 3 checks, as the planner counts.
    expect(times).toEqual(['2026-11-22T10:01:00.000Z', '2026-11-22T10:02:00.000Z', '2026-11-22T10:02:30.000Z']);
  });

  const bake = startBake(t0, 300, 60);
  const green = [{ name: 'a', state: 'OK' as const }, { name: 'b', state: 'INSUFFICIENT_DATA' as const }];

  it('rolls back on an alarm in ALARM or a named alarm that does not exist', () => {
    expect(judgeCheck({ now: t0, record: {}, alarms: [{ name: 'a', state: 'ALARM', reason: 'threshold crossed' }], bake })).toEqual({ kind: 'unhealthy', reason: 'alarm a is in ALARM (threshold crossed)' });
    expect(judgeCheck({ now: t0, record: {}, alarms: [{ name: 'gone', state: 'missing' }], bake })).toEqual({ kind: 'unhealthy', reason: 'alarm gone does not exist' });
  });

  it('lets a person\'s stop win over everything, then the deadline, then the alarms', () => {
    const stopRequested = { by: 'dave', at: t0 };
    expect(judgeCheck({ now: t0, record: { stopRequested, deadline: t0 - 1 }, alarms: [{ name: 'a', state: 'ALARM' }], bake }).kind).toBe('stop');
    expect(judgeCheck({ now: t0, record: { deadline: t0 - 1 }, alarms: [{ name: 'a', state: 'ALARM' }], bake }).kind).toBe('deadline');
  });

  it('promotes now only after a green check', () => {
    const promoteRequested = { by: 'carol', at: t0 };
    expect(judgeCheck({ now: t0, record: { promoteRequested }, alarms: green, bake }).kind).toBe('promote');
    expect(judgeCheck({ now: t0, record: { promoteRequested }, alarms: [{ name: 'a', state: 'ALARM' }], bake }).kind).toBe('unhealthy');
  });

  const limits = { version: '8', thresholdPercent: 5, minInvocations: 10 };

  it('judges the new version\'s measured error rate only from the minimum number of invocations on', () => {
    // Prepare: every call failed, but too few of them; then enough calls at or under the threshold.
    const few = { ...limits, errors: 9, invocations: 9 };
    const atThreshold = { ...limits, errors: 1, invocations: 20 };

    // Act / Assess
    expect(judgeCheck({ now: t0, record: {}, alarms: green, errorRate: few, bake }).kind).toBe('bake');
    expect(judgeCheck({ now: t0, record: {}, alarms: green, errorRate: atThreshold, bake }).kind).toBe('bake');
    expect(judgeCheck({ now: t0, record: {}, alarms: [], errorRate: { ...limits, errors: 0, invocations: 0 }, bake }).kind).toBe('bake');
  });

  it('fails a check whose measured error rate is above the threshold, with the numbers, while the alarms are still green', () => {
    // Act
    const verdict = judgeCheck({ now: t0, record: {}, alarms: green, errorRate: { ...limits, errors: 4, invocations: 10 }, bake });

    // Assess
    expect(verdict).toEqual({ kind: 'unhealthy', reason: 'error rate of version 8 is 40% (4 errors in 10 invocations), above 5%' });
  });

  it('still fails on a red alarm whatever the measured rate, naming both when both are red', () => {
    // Prepare
    const red = [{ name: 'a', state: 'ALARM' as const }];

    // Act / Assess
    expect(judgeCheck({ now: t0, record: {}, alarms: red, errorRate: { ...limits, errors: 0, invocations: 50 }, bake })).toEqual({ kind: 'unhealthy', reason: 'alarm a is in ALARM' });
    expect(judgeCheck({ now: t0, record: {}, alarms: red, bake })).toEqual({ kind: 'unhealthy', reason: 'alarm a is in ALARM' });
    expect(judgeCheck({ now: t0, record: {}, alarms: red, errorRate: { ...limits, errors: 1, invocations: 15 }, bake })).toEqual({ kind: 'unhealthy', reason: 'alarm a is in ALARM; error rate of version 8 is 6.67% (1 error in 15 invocations), above 5%' });
    expect(judgeCheck({ now: t0, record: { stopRequested: { by: 'dave', at: t0 } }, alarms: green, errorRate: { ...limits, errors: 10, invocations: 10 }, bake }).kind).toBe('stop');
  });

  it('bakes on until the check scheduled at the bake\'s end, however late the checks run', () => {
    // Prepare: the first check of a 5-minute bake runs 10 minutes late; the last one on time.
    const last = { ...bake, nextCheckAt: new Date(bake.until).toISOString(), checks: 4 };

    // Act / Assess
    expect(judgeCheck({ now: bake.until + 600_000, record: {}, alarms: green, bake }).kind).toBe('bake');
    expect(judgeCheck({ now: bake.until, record: {}, alarms: green, bake: last }).kind).toBe('next');
  });
});

describe('alias routings', () => {
  it('never expresses 100% as an additional weight', () => {
    expect(routingFor('3', '4', 100)).toEqual({ version: '4', weights: {} });
    expect(routingFor('3', '4', 0)).toEqual({ version: '3', weights: {} });
    expect(routingFor('3', '4', 10)).toEqual({ version: '3', weights: { '4': 0.1 } });
  });

  it('compares routings by where traffic goes and describes them for people', () => {
    expect(sameRouting({ version: '3', weights: { '4': 0 } }, { version: '3', weights: {} })).toBe(true);
    expect(sameRouting({ version: '3', weights: { '4': 0.1 } }, { version: '3', weights: { '4': 0.2 } })).toBe(false);
    expect(isSplit({ version: '3', weights: { '4': 0.1 } })).toBe(true);
    expect(percentOn({ version: '3', weights: { '4': 0.25 } }, '4')).toBe(25);
    expect(describeRouting({ version: '3', weights: { '4': 0.25 } })).toBe('75% on version 3, 25% on version 4');
    expect(describeRouting(null)).toBe('no alias');
  });
});

describe('history event keys', () => {
  it('are the same for the same step, so a retried append is a no-op', () => {
    expect(eventKeys.check(2, 7)).toBe(eventKeys.check(2, 7));
    expect(eventKeys.check(2, 7)).not.toBe(eventKeys.check(2, 8));
    expect(eventKeys.weight(0)).toBe('weight-0000');
    // Sorted keys of one step read in order.
    expect([eventKeys.check(1, 10), eventKeys.check(1, 9)].sort()).toEqual([eventKeys.check(1, 9), eventKeys.check(1, 10)]);
  });
});

describe('rollback reasons', () => {
  it('keeps the message of a Lambda task error and drops its stack', () => {
    const cause = JSON.stringify({ errorType: 'fledge.HealthCheckFailed', errorMessage: 'alarm x is in ALARM', trace: ['at secret (/var/task/index.js:1:1)'] });
    expect(reasonFrom({ Error: 'fledge.HealthCheckFailed', Cause: cause })).toBe('fledge.HealthCheckFailed: alarm x is in ALARM');
  });

  it('names an approval that timed out, and plain causes as they are', () => {
    expect(reasonFrom({ Error: 'States.Timeout', Cause: '' }, { approvalPending: true })).toBe('approval was not given in time');
    expect(reasonFrom({ Error: 'fledge.ApprovalRejected', Cause: 'rejected by bob' })).toBe('fledge.ApprovalRejected: rejected by bob');
    expect(reasonFrom(undefined)).toBe('unknown failure');
  });
});

describe('task input checks', () => {
  it('refuses a state without a valid deployment id or a normalised spec', () => {
    expect(() => parseEngineState({ deploymentId: 'has space', spec: {} })).toThrow(InvalidTaskInputError);
    expect(() => parseEngineState({ deploymentId: 'ok-1', spec: { function: { name: 'f' }, alias: 'live' } })).toThrow(/not normalised/);
  });

  it('acts only on the execution statuses that skip every Catch', () => {
    const event = (status: string) => ({ detail: { status, name: 'dep-1' } });
    expect(parseStatusChangeEvent(event('SUCCEEDED'))).toBeUndefined();
    expect(parseStatusChangeEvent(event('ABORTED'))).toEqual({ deploymentId: 'dep-1', executionStatus: 'ABORTED' });
  });
});

describe('changing the alias safely', () => {
  function setup() {
    const aliases = new FakeAliases({ version: '1', weights: {} });
    const record: DeploymentRecord = {
      deploymentId: 'dep-1',
      functionName: 'fn',
      alias: 'live',
      status: 'RUNNING',
      spec: spec('fn', { kind: 'allAtOnce' }),
      artifact: { bucket: 'b', key: 'k' },
      startedBy: 'test',
      source: 'test',
      createdAt: 0,
      updatedAt: 0,
      snapshot: { alias: aliases.alias!, functionExisted: true },
      aliasRevisionId: aliases.alias!.revisionId,
      newVersion: '2',
    };
    const records = new FakeRecords(record);
    const ports = { lambda: aliases as unknown as LambdaRegistry, store: records as unknown as DeploymentStore };
    return { aliases, records, ports };
  }

  it('recognises its own change when a retry follows a lost response, instead of calling it drift', async () => {
    // Prepare: the first attempt's UpdateAlias succeeds but its response is lost.
    const { aliases, records, ports } = setup();
    const stale = records.record;
    aliases.loseNextResponse = new TransientAwsError('socket hang up');
    await expect(changeAlias(ports, stale, routingFor('1', '2', 10), 'set 10%')).rejects.toBeInstanceOf(TransientAwsError);

    // Act: the retried task starts from what the record says now (intent written, revision not).
    const result = await changeAlias(ports, records.record, routingFor('1', '2', 10), 'set 10%');

    // Assess
    expect(result).toMatchObject({ version: '1', weights: { '2': 0.1 } });
    expect(aliases.calls.filter((call) => call === 'updateAlias')).toHaveLength(1);
    expect(records.record).toMatchObject({ aliasRevisionId: aliases.alias!.revisionId, currentWeight: 10 });
    expect(records.record.intent).toBeUndefined();
  });

  it('refuses to overwrite a change someone else made', async () => {
    // Prepare
    const { aliases, records, ports } = setup();
    aliases.changeBySomeoneElse({ version: '1', weights: { '7': 0.5 } });

    // Act / Assess
    await expect(changeAlias(ports, records.record, routingFor('1', '2', 10), 'set 10%')).rejects.toBeInstanceOf(AliasDriftedError);
    expect(aliases.alias).toMatchObject({ version: '1', weights: { '7': 0.5 } });
  });

  it('restores the snapshot after its own changes but leaves a drifted alias alone', async () => {
    // Prepare
    const { aliases, records, ports } = setup();
    await changeAlias(ports, records.record, routingFor('1', '2', 50), 'set 50%');

    // Act
    const restored = await restoreAlias(ports, records.record);

    // Assess
    expect(restored.kind).toBe('restored');
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });

    // Prepare: drift after fledge's change.
    await changeAlias(ports, records.record, routingFor('1', '2', 50), 'set 50%');
    aliases.changeBySomeoneElse({ version: '2', weights: {} });

    // Act / Assess
    expect((await restoreAlias(ports, records.record)).kind).toBe('drifted');
    expect(aliases.alias).toMatchObject({ version: '2', weights: {} });
  });

  it('fences the alias when the safety net restores after a change that was announced but not yet made, so the late update fails', async () => {
    // Prepare: a task announced 50% (write-ahead), then its execution was stopped before it called UpdateAlias.
    const { aliases, records, ports } = setup();
    const staleRevision = aliases.alias!.revisionId;
    await records.updateDeployment('dep-1', { intent: { target: routingFor('1', '2', 50), expectedRevisionId: staleRevision, description: 'set 50%' } });

    // Act
    const outcome = await restoreAlias(ports, records.record, 'safety-net');
    const late = aliases.updateAlias({ routing: routingFor('1', '2', 50), revisionId: staleRevision });

    // Assess
    expect(outcome.kind).toBe('unchanged');
    await expect(late).rejects.toBeInstanceOf(AliasDriftedError);
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
  });

  it('refuses an alias change from a task that outlived its execution once the safety net took over', async () => {
    // Prepare
    const { aliases, records, ports } = setup();
    await records.updateDeployment('dep-1', { abandonedAt: 1 });

    // Act
    const late = changeAlias(ports, records.record, routingFor('1', '2', 10), 'set 10%');

    // Assess
    await expect(late).rejects.toBeInstanceOf(DeploymentFinishedError);
    expect(aliases.calls).not.toContain('updateAlias');
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
  });
});
