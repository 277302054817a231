import { describe, expect, it } from 'vitest';
import type { AliasSnapshot, DeploymentRecord, EngineState } from '../../shared/model/deployment';
import { rollbackFailed } from '../../shared/domain/deployment/outcomes';
import { repairFailed } from '../../shared/domain/deployment/repair';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import type { HealthSignals } from '../../shared/ports/health-signals';
import type { LambdaRegistry } from '../../shared/ports/lambda-registry';
import { spec } from '../support/engine';
import { FakeAliases, FakeNotifier, FakeStore } from '../support/engine-fakes';

const clock = { now: () => 1_000_000, sleep: async () => undefined };
const health = { deleteAlarms: async () => undefined } as unknown as HealthSignals;
const allAtOnce = spec('fn', { kind: 'allAtOnce' }, { hooks: { afterTraffic: 'checks' } });
const hookFailed = 'fledge.VerificationFailed: afterTraffic hook checks failed';

/**
 * A deployment whose afterTraffic hook failed after Promote moved the alias wholly to version 2,
 * and whose rollback then kept failing (Lambda refusing the alias change): the execution's
 * RollbackFailed task has the alias as fledge left it. `before` is the alias before the
 * deployment (`null`: there was none, fledge created it).
 */
function promotedThenFailed(before: '1' | null) {
  const aliases = new FakeAliases(before ? { version: before, weights: {} } : undefined);
  const snapshot: AliasSnapshot = before ? { alias: aliases.alias!, functionExisted: true } : { alias: null, functionExisted: true };
  // Promote, as far as Lambda is concerned: the alias whole on version 2 at a revision fledge wrote.
  if (before) aliases.changeBySomeoneElse({ version: '2', weights: {} });
  else aliases.alias = { version: '2', weights: {}, revisionId: 'rev-created' };
  const promoted = aliases.alias!.revisionId;
  const record: DeploymentRecord = {
    deploymentId: 'dep-1',
    functionName: 'fn',
    alias: 'live',
    status: 'RUNNING',
    spec: allAtOnce,
    artifact: { bucket: 'b', key: 'k' },
    startedBy: 'test',
    source: 'test',
    createdAt: 0,
    updatedAt: 0,
    snapshot,
    newVersion: '2',
    currentWeight: 100,
  };
  const state: EngineState = {
    deploymentId: 'dep-1',
    spec: allAtOnce,
    artifact: { bucket: 'b', key: 'k' },
    startedBy: 'test',
    source: 'test',
    snapshot,
    aliasRevisionId: promoted,
    published: { version: '2', changed: true, codeSha256: 'sha' },
    failure: { Error: 'fledge.VerificationFailed', Cause: JSON.stringify({ errorMessage: 'afterTraffic hook checks failed' }) },
    rollbackFailure: { Error: 'fledge.Transient', Cause: JSON.stringify({ errorMessage: 'DeleteAlias fn:live: TooManyRequestsException' }) },
  };
  const store = new FakeStore(record);
  const notifier = new FakeNotifier();
  const deps = { lambda: aliases as unknown as LambdaRegistry, store: store as unknown as DeploymentStore, health, notifier, clock };
  return { aliases, store, notifier, deps, state, promoted };
}

describe('finishing the rollback of a FAILED deployment', () => {
  it('records FAILED keeping the lock and the revision the execution carried, though the record missed the promotion', async () => {
    // Prepare: Promote's bookkeeping was lost (the record has no revision); the state carries it.
    const { store, deps, state, promoted } = promotedThenFailed('1');

    // Act
    await rollbackFailed(deps, state);

    // Assess
    expect(store.record).toMatchObject({ status: 'FAILED', aliasRevisionId: promoted, ending: { keepLock: true } });
    expect(store.lockHolder).toBe('dep-1');
  });

  it('puts an alias fledge left whole on the new version back on the version before: ROLLED_BACK, recorded and notified once', async () => {
    // Prepare
    const { aliases, store, notifier, deps, state } = promotedThenFailed('1');
    await rollbackFailed(deps, state);
    const failedMails = notifier.sent.map((sent) => sent.kind);

    // Act: the sweeper, once Lambda answers again.
    const repaired = await repairFailed(deps, store.record, 'sweeper');

    // Assess
    expect(failedMails).toEqual(['failed']);
    expect(repaired.kind).toBe('restored');
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
    expect(store.record).toMatchObject({ status: 'ROLLED_BACK', reason: expect.stringContaining(`${hookFailed}; then the rollback failed`) });
    expect(store.record.reason).toContain('the sweeper then restored the alias (all traffic on version 1)');
    expect(store.events.map((event) => [event.key, event.kind])).toEqual([
      ['outcome', 'failed'],
      ['sweeper-repair', 'rolledBack'],
    ]);
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['failed', 'rolledBack']);
    expect(store.lockHolder).toBeUndefined();
  });

  it('deletes an alias fledge created and left whole on the new version', async () => {
    // Prepare: there was no alias before the deployment.
    const { aliases, store, notifier, deps, state } = promotedThenFailed(null);
    await rollbackFailed(deps, state);

    // Act
    const repaired = await repairFailed(deps, store.record, 'safety-net');

    // Assess
    expect(repaired.kind).toBe('restored');
    expect(aliases.alias).toBeUndefined();
    expect(store.record.status).toBe('ROLLED_BACK');
    expect(store.events.at(-1)).toMatchObject({ key: 'safety-net-repair', kind: 'rolledBack' });
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['failed', 'rolledBack']);
    expect(store.lockHolder).toBeUndefined();
  });

  it('leaves an alias someone else changed after fledge left it: DRIFTED, untouched, lock released', async () => {
    // Prepare: after the failure, a person points the alias at version 2 themselves (a new revision).
    const { aliases, store, notifier, deps, state } = promotedThenFailed('1');
    await rollbackFailed(deps, state);
    aliases.changeBySomeoneElse({ version: '2', weights: {} });
    const theirs = aliases.alias;
    aliases.calls = [];

    // Act
    const repaired = await repairFailed(deps, store.record, 'sweeper');

    // Assess
    expect(repaired.kind).toBe('drifted');
    expect(aliases.alias).toBe(theirs);
    expect(aliases.calls).toEqual(['getAlias', 'getAlias']);
    expect(store.record).toMatchObject({ status: 'DRIFTED', reason: expect.stringContaining('then the alias was changed by someone else (all traffic on version 2)') });
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['failed', 'drifted']);
    expect(store.lockHolder).toBeUndefined();
  });

  it('leaves an alias already as before the deployment as it is: the deployment stays FAILED, the finding recorded, the lock released', async () => {
    // Prepare: someone put the alias back on version 1 by hand after the failure.
    const { aliases, store, notifier, deps, state } = promotedThenFailed('1');
    await rollbackFailed(deps, state);
    aliases.changeBySomeoneElse({ version: '1', weights: {} });
    aliases.calls = [];

    // Act
    const repaired = await repairFailed(deps, store.record, 'sweeper');

    // Assess
    expect(repaired.kind).toBe('whole');
    expect(aliases.calls).toEqual(['getAlias']);
    expect(store.record.status).toBe('FAILED');
    expect(store.record.repairedAt).toBe(clock.now());
    expect(store.events.at(-1)).toMatchObject({ key: 'sweeper-found-whole', kind: 'repaired' });
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['failed']);
    expect(store.lockHolder).toBeUndefined();
  });

  it('leaves an alias a newer deployment has taken over: untouched, the finding recorded', async () => {
    // Prepare: a newer deployment took the lock of the ended one (Prepare may) and owns the alias now.
    const { aliases, store, notifier, deps, state } = promotedThenFailed('1');
    await rollbackFailed(deps, state);
    store.lockHolder = 'dep-2';
    const before = aliases.alias;

    // Act
    const repaired = await repairFailed(deps, store.record, 'sweeper');

    // Assess
    expect(repaired.kind).toBe('superseded');
    expect(aliases.alias).toBe(before);
    expect(store.record).toMatchObject({ status: 'FAILED', repairedAt: clock.now() });
    expect(store.events.at(-1)).toMatchObject({ key: 'sweeper-found-superseded', kind: 'repaired', data: { supersededBy: 'dep-2' } });
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['failed']);
    expect(store.lockHolder).toBe('dep-2');
  });
});
