import { describe, expect, it } from 'vitest';
import { render } from '../../shared/adapters/sns-notifier';
import { waveRunView } from '../../shared/domain/deployment/wave-targets';
import type { DeploymentRecord, DeploymentStatus, WaveTargetRecord } from '../../shared/model/deployment';
import type { TargetSpec } from '../../shared/model/spec';
import { spec } from '../support/engine';

const EU: TargetSpec = { id: 'eu', accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/t', dependsOn: [] };
const US: TargetSpec = { id: 'us', accountId: '222222222222', region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/t', dependsOn: ['eu'] };
const AP: TargetSpec = { id: 'ap', accountId: '222222222222', region: 'ap-southeast-2', roleArn: 'arn:aws:iam::222222222222:role/t', dependsOn: ['eu'] };

function run(status: DeploymentStatus, waves?: WaveTargetRecord[], reason?: string): DeploymentRecord {
  return {
    deploymentId: 'run',
    functionName: 'checkout',
    alias: 'live',
    status,
    spec: spec('checkout', { kind: 'allAtOnce' }, { targets: [EU, US, AP] }),
    artifact: { bucket: 'b', key: 'k' },
    startedBy: 'ci',
    source: 'api',
    createdAt: 0,
    updatedAt: 0,
    ...(waves ? { waves } : {}),
    ...(reason ? { reason } : {}),
  };
}

function child(id: string, status: DeploymentStatus, currentWeight?: number): DeploymentRecord {
  return { ...run(status), deploymentId: `run--${id}`, newVersion: '7', snapshot: { alias: { version: '6', weights: {} } } as never, ...(currentWeight !== undefined ? { currentWeight } : {}) };
}

const row = (target: TargetSpec, status: WaveTargetRecord['status'], reason?: string): WaveTargetRecord => ({ id: target.id, accountId: target.accountId, region: target.region, deploymentId: `run--${target.id}`, status, ...(reason ? { reason } : {}) });

describe('a wave run as people see it', () => {
  it('shows every target of a run that has not reached them yet, waiting', () => {
    // Act
    const view = waveRunView(run('PENDING'), new Map());

    // Assess
    expect(view?.waves).toEqual([['eu'], ['us', 'ap']]);
    expect(view?.targets.map((t) => [t.id, t.wave, t.status, t.weight, t.reason])).toEqual([
      ['eu', 1, 'NOT_STARTED', 0, 'the wave run has not reached its targets yet'],
      ['us', 2, 'NOT_STARTED', 0, 'the wave run has not reached its targets yet'],
      ['ap', 2, 'NOT_STARTED', 0, 'the wave run has not reached its targets yet'],
    ]);
  });

  it("shows a running target's weight from its own record, and what each later target waits for", () => {
    // Prepare: the parent's row still says PENDING; the target's record is fresher.
    const parent = run('RUNNING', [row(EU, 'PENDING'), row(US, 'NOT_STARTED'), row(AP, 'NOT_STARTED')]);

    // Act
    const view = waveRunView(parent, new Map([['eu', child('eu', 'RUNNING', 25)]]));

    // Assess
    expect(view?.targets.map((t) => [t.id, t.status, t.weight, t.previousVersion, t.newVersion, t.reason])).toEqual([
      ['eu', 'RUNNING', 25, '6', '7', undefined],
      ['us', 'NOT_STARTED', 0, undefined, undefined, 'waits for eu to succeed'],
      ['ap', 'NOT_STARTED', 0, undefined, undefined, 'waits for eu to succeed'],
    ]);
  });

  it('shows why a target never started once the run stopped, and a promoted target at 100%', () => {
    // Prepare
    const parent = run('ROLLED_BACK', [row(EU, 'SUCCEEDED'), row(US, 'ROLLED_BACK', 'stopped'), row(AP, 'NOT_STARTED', 'never started: target us ended ROLLED_BACK')], 'target us ended ROLLED_BACK');

    // Act
    const view = waveRunView(parent, new Map([['eu', child('eu', 'SUCCEEDED', 100)], ['us', child('us', 'ROLLED_BACK', 50)]]));

    // Assess
    expect(view?.targets.map((t) => [t.id, t.status, t.weight, t.reason])).toEqual([
      ['eu', 'SUCCEEDED', 100, undefined],
      ['us', 'ROLLED_BACK', 0, 'stopped'],
      ['ap', 'NOT_STARTED', 0, 'never started: target us ended ROLLED_BACK'],
    ]);
  });

  it('is undefined for a deployment without targets', () => {
    // Act
    const view = waveRunView({ ...run('RUNNING'), spec: spec('checkout', { kind: 'allAtOnce' }) }, new Map());

    // Assess
    expect(view).toBeUndefined();
  });
});

describe("a wave run's notification", () => {
  it('names every target, where it is and how it ended, in one e-mail', () => {
    // Prepare
    const targets = [
      { id: 'eu', accountId: EU.accountId, region: EU.region, status: 'ROLLED_BACK', previousVersion: '6', newVersion: '7' },
      { id: 'us', accountId: US.accountId, region: US.region, status: 'ROLLED_BACK', previousVersion: '3', newVersion: '4' },
      { id: 'ap', accountId: AP.accountId, region: AP.region, status: 'NOT_STARTED' },
    ];

    // Act
    const { subject, body } = render({ kind: 'rolledBack', deploymentId: 'run', functionName: 'checkout', alias: 'live', startedBy: 'ci', targets, reason: 'target us (account 222222222222, us-east-1) ended ROLLED_BACK' });

    // Assess
    expect(subject).toBe('fledge: checkout:live wave run rolled back');
    expect(body).toContain('The deployment was rolled back: target us (account 222222222222, us-east-1) ended ROLLED_BACK');
    expect(body).toContain('Targets (3):');
    expect(body).toContain('  eu (account 111111111111, eu-west-1): version 6 → version 7 (ROLLED_BACK)');
    expect(body).toContain('  us (account 222222222222, us-east-1): version 3 → version 4 (ROLLED_BACK)');
    expect(body).toContain('  ap (account 222222222222, ap-southeast-2): nothing → a new version (NOT_STARTED)');
  });
});
