import { describe, expect, it } from 'vitest';
import { AwsCallFailedError, TransientAwsError } from '../../shared/model/engine-errors';
import { finish, type Ending } from '../../shared/domain/deployment/finish';
import type { DeploymentRecord, EngineState } from '../../shared/model/deployment';
import { promote } from '../../shared/domain/deployment/promote';
import { rollback } from '../../shared/domain/deployment/rollback';
import { routingFor } from '../../shared/domain/deployment/routing';
import { trafficStepsFor } from '../../shared/domain/spec/steps';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import type { HealthSignals } from '../../shared/ports/health-signals';
import type { LambdaRegistry } from '../../shared/ports/lambda-registry';
import { spec } from '../support/engine';
import { FakeAliases, FakeNotifier, FakeStore, NO_WEBHOOKS } from '../support/engine-fakes';

const clock = { now: () => 1_000_000, sleep: async () => undefined };
const health = { deleteAlarms: async () => undefined } as unknown as HealthSignals;
const canary = spec('fn', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 600 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 600 }] });

/** v1 live, v2 at 10% mid-bake: the record, the alias and the execution's state agree. */
function midBake() {
  const aliases = new FakeAliases({ version: '1', weights: {} });
  const snapshot = { alias: aliases.alias!, functionExisted: true };
  const before = aliases.alias!;
  aliases.changeBySomeoneElse(routingFor('1', '2', 10)); // fledge's NextStep, as far as Lambda is concerned
  const record: DeploymentRecord = {
    deploymentId: 'dep-1',
    functionName: 'fn',
    alias: 'live',
    status: 'RUNNING',
    spec: canary,
    artifact: { bucket: 'b', key: 'k' },
    startedBy: 'test',
    source: 'test',
    createdAt: 0,
    updatedAt: 0,
    snapshot,
    aliasRevisionId: aliases.alias!.revisionId,
    newVersion: '2',
    currentWeight: 10,
  };
  const state: EngineState = {
    deploymentId: 'dep-1',
    spec: canary,
    artifact: { bucket: 'b', key: 'k' },
    startedBy: 'test',
    source: 'test',
    snapshot,
    aliasRevisionId: aliases.alias!.revisionId,
    published: { version: '2', changed: true, codeSha256: 'sha' },
    trafficSteps: trafficStepsFor(canary, { aliasExists: true }),
    stepIndex: 2,
    weight: 10,
    action: 'bake',
    failure: { Error: 'fledge.HealthCheckFailed', Cause: JSON.stringify({ errorMessage: 'alarm errors is in ALARM' }) },
  };
  const store = new FakeStore(record);
  const notifier = new FakeNotifier();
  const deps = { lambda: aliases as unknown as LambdaRegistry, store: store as unknown as DeploymentStore, health, notifier, clock, webhooks: NO_WEBHOOKS };
  return { aliases, store, notifier, deps, state, before };
}

const rolledBack: Ending = { status: 'ROLLED_BACK', reason: 'alarm', eventKind: 'rolledBack', message: 'rolled back', notification: { kind: 'rolledBack', deploymentId: 'dep-1', functionName: 'fn', alias: 'live', startedBy: 'test', reason: 'alarm' } };

describe('ending a deployment', () => {
  it('writes the terminal status before any side effect, so a notifier that fails for good leaves the deployment ended, marked for the sweeper', async () => {
    // Prepare: SNS refuses every message (a permission removed).
    const { store, notifier, deps } = midBake();
    notifier.failing = new AwsCallFailedError('Publish: AuthorizationError');

    // Act
    const finished = await finish(deps, store.record, rolledBack);

    // Assess
    expect(store.record.status).toBe('ROLLED_BACK');
    // The e-mail that did not go is in the history at once (a notificationFailed entry); it is still retried until sent.
    expect(store.events.map((event) => event.key)).toEqual(['outcome', 'notification-failed-outcome-email']);
    expect(store.events[1]?.kind).toBe('notificationFailed');
    expect(finished.pending).toEqual([expect.stringContaining('notify')]);
    expect(store.settling).toBe(true);
    expect(store.record.unsettled).toEqual([expect.stringContaining('AuthorizationError')]);
  });

  it('notifies once when the ending is retried after writing the status failed', async () => {
    // Prepare: the first status write fails (a throttled table).
    const { store, notifier, deps } = midBake();
    store.failOnce.set('updateDeployment:status', new TransientAwsError('UpdateItem: ThrottlingException'));

    // Act: the task fails, and its retry ends the deployment.
    await finish(deps, store.record, rolledBack).catch(() => undefined);
    await finish(deps, store.record, rolledBack);
    await finish(deps, store.record, rolledBack);

    // Assess
    expect(notifier.sent).toHaveLength(1);
    expect(store.record.status).toBe('ROLLED_BACK');
    expect(store.lockHolder).toBeUndefined();
  });

  it('releases the lock of a whole alias first, keeps the ending marked while a side effect is left, and a retry completes only what is left', async () => {
    // Prepare: appending the history fails once.
    const { store, notifier, deps } = midBake();
    store.failOnce.set('appendEvent', new TransientAwsError('PutItem: InternalServerError'));

    // Act
    const first = await finish(deps, store.record, rolledBack);
    const afterFirst = { lock: store.lockHolder, settling: store.settling };
    const second = await finish(deps, store.record, { ...rolledBack, status: 'FAILED', message: 'another ending' });

    // Assess
    expect(first.pending).toEqual([expect.stringContaining('history')]);
    expect(afterFirst).toEqual({ lock: undefined, settling: true });
    expect(second).toMatchObject({ status: 'ROLLED_BACK', pending: [] });
    expect(store.events).toEqual([expect.objectContaining({ key: 'outcome', kind: 'rolledBack', message: 'rolled back' })]);
    expect(notifier.sent).toHaveLength(1);
    expect(store.settling).toBe(false);
    expect(store.record.unsettled).toBeUndefined();
  });

  it('keeps the lock of an alias left split, whatever else is done', async () => {
    // Prepare
    const { store, deps } = midBake();

    // Act
    const finished = await finish(deps, store.record, { ...rolledBack, status: 'FAILED', keepLock: true });

    // Assess
    expect(finished.pending).toEqual([]);
    expect(store.lockHolder).toBe('dep-1');
    expect(store.settling).toBe(false);
  });
});

describe('rolling back without the deployments table', () => {
  it('restores the alias from the snapshot the execution carries when the table does not answer', async () => {
    // Prepare: every table call fails.
    const { aliases, store, deps, state, before } = midBake();
    for (const method of ['getDeployment', 'updateDeployment', 'updateDeployment:status', 'appendEvent']) store.failing.set(method, new TransientAwsError('DynamoDB: InternalServerError'));

    // Act: the task fails (so its retry records the ending), but the alias is whole first.
    const outcome = await rollback(deps, state).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(TransientAwsError);
    expect(aliases.alias).toEqual({ version: before.version, weights: {}, revisionId: expect.any(String) });
    expect(store.record.status).toBe('RUNNING');
  });

  it('recognises the weight a NextStep set before the table failed, from the state it was given', async () => {
    // Prepare: NextStep (input: 10%, stepIndex at the 50% step) set 50%, then the table failed and its output was lost.
    const { aliases, store, deps, state, before } = midBake();
    aliases.changeBySomeoneElse(routingFor('1', '2', 50));
    for (const method of ['getDeployment', 'updateDeployment', 'updateDeployment:status']) store.failing.set(method, new TransientAwsError('DynamoDB: InternalServerError'));

    // Act
    await rollback(deps, { ...state, action: 'next' }).catch(() => undefined);

    // Assess
    expect(aliases.alias).toEqual({ version: before.version, weights: {}, revisionId: expect.any(String) });
  });

  it('leaves an alias someone else changed alone even when the table does not answer', async () => {
    // Prepare: a person set 30%, a weight no step of this deployment sets.
    const { aliases, store, deps, state } = midBake();
    aliases.changeBySomeoneElse(routingFor('1', '2', 30));
    const theirs = aliases.alias;
    for (const method of ['getDeployment', 'updateDeployment', 'updateDeployment:status']) store.failing.set(method, new TransientAwsError('DynamoDB: InternalServerError'));

    // Act
    await rollback(deps, { ...state, action: 'next' }).catch(() => undefined);

    // Assess
    expect(aliases.alias).toEqual(theirs);
    expect(aliases.calls).not.toContain('updateAlias');
  });
});

describe('finishing a promotion', () => {
  it('never undoes a promotion for a failure after the alias is whole: the table failing for good leaves warnings, not an error', async () => {
    // Prepare: the alias moves to v2; every later table write fails.
    const { aliases, store, deps, state } = midBake();
    const promoting: EngineState = { ...state, action: 'promote', stepIndex: 4, weight: 50 };
    const realUpdate = aliases.updateAlias.bind(aliases);
    aliases.updateAlias = async (input) => {
      const out = await realUpdate(input);
      for (const method of ['getDeployment', 'updateDeployment', 'updateDeployment:status', 'appendEvent', 'releaseLock']) store.failing.set(method, new TransientAwsError('DynamoDB: InternalServerError'));
      return out;
    };

    // Act
    const out = await promote(deps, promoting);

    // Assess
    expect(aliases.alias).toEqual({ version: '2', weights: {}, revisionId: expect.any(String) });
    expect(out).toMatchObject({ weight: 100, aliasRevisionId: aliases.alias!.revisionId });
    expect(out.warnings).toEqual([expect.stringContaining('the sweeper records it later')]);
  });
});
