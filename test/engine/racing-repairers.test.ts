import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalAws, type LocalAws } from '@fledge-local/embedded-aws';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb-store';
import { deploymentTableDefinition } from '../../shared/adapters/dynamodb-table';
import { sweep } from '../../shared/domain/deployment/sweeper';
import type { Orchestrator } from '../../shared/ports/orchestrator';
import { clientConfig } from '../support/local-aws';
import type { AliasRouting, AliasSnapshot, AliasState, DeploymentRecord, DeploymentStatus } from '../../shared/model/deployment';
import type { DeploymentNotification } from '../../shared/model/notification';
import type { Notifier } from '../../shared/ports/notifier';
import { settle } from '../../shared/domain/deployment/finish';
import { NOTIFICATION_LEASE_MS, NOTIFICATION_LEASE_REAL_MS } from '../../shared/domain/deployment/notify-once';
import { repairFailed, repairOpen } from '../../shared/domain/deployment/repair';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import type { HealthSignals } from '../../shared/ports/health-signals';
import type { LambdaRegistry } from '../../shared/ports/lambda-registry';
import { spec } from '../support/engine';
import { FakeAliases, FakeNotifier, FakeStore } from '../support/engine-fakes';

const clock = { now: () => 1_000_000, sleep: async () => undefined };
const health = { deleteAlarms: async () => undefined } as unknown as HealthSignals;

/**
 * A deployment fledge left with its alias split (version 1 at 90 %, version 2 at 10 %, at the
 * revision fledge last wrote), in `status`: FAILED (its rollback could not finish) or open (its
 * execution ended without ending it).
 */
function splitDeployment(status: DeploymentStatus) {
  const aliases = new FakeAliases({ version: '1', weights: {} });
  const snapshot: AliasSnapshot = { alias: aliases.alias!, functionExisted: true };
  aliases.changeBySomeoneElse({ version: '1', weights: { '2': 0.1 } });
  const failed = status === 'FAILED';
  const record: DeploymentRecord = {
    deploymentId: 'dep-1',
    functionName: 'fn',
    alias: 'live',
    status,
    spec: spec('fn', { kind: 'linear', percent: 10, interval: 60 }),
    artifact: { bucket: 'b', key: 'k' },
    startedBy: 'test',
    source: 'test',
    createdAt: 0,
    updatedAt: 0,
    snapshot,
    newVersion: '2',
    currentWeight: 10,
    aliasRevisionId: aliases.alias!.revisionId,
    ...(failed
      ? {
          reason: 'alarm fired; then the rollback failed',
          notified: ['outcome'],
          ending: { eventKey: 'outcome', eventKind: 'failed' as const, message: 'rollback failed', at: 0, keepLock: true },
        }
      : {}),
  };
  const store = new FakeStore(record);
  const notifier = new FakeNotifier();
  return { aliases, store, notifier, record };
}

/**
 * Two views of one alias for two repairers racing: the second has read the split alias, but its
 * read just before its update (its `gatedRead`-th) waits until the first has restored the alias,
 * and the first goes on only once the second has finished. So the second finds the alias restored
 * by a change it did not make, and decides before the first records anything — the interleaving
 * of two sweeps started at the same moment.
 */
function racing(aliases: FakeAliases, gatedRead: number) {
  let restored: () => void = () => undefined;
  let release: () => void = () => undefined;
  const firstRestored = new Promise<void>((resolve) => (restored = resolve));
  const secondDone = new Promise<void>((resolve) => (release = resolve));
  const view = (read: () => Promise<AliasState | undefined>, update: (input: { routing: AliasRouting; revisionId: string }) => Promise<AliasState>) =>
    ({
      getAlias: read,
      createAlias: (input: { routing: AliasRouting }) => aliases.createAlias(input),
      deleteAlias: () => aliases.deleteAlias(),
      updateAlias: update,
    }) as unknown as LambdaRegistry;
  const first = view(
    () => aliases.getAlias(),
    async (input) => {
      const updated = await aliases.updateAlias(input);
      restored();
      await secondDone;
      return updated;
    },
  );
  let reads = 0;
  const second = view(
    async () => {
      reads += 1;
      if (reads === gatedRead) await firstRestored;
      return aliases.getAlias();
    },
    (input) => aliases.updateAlias(input),
  );
  return { first, second, secondFinished: <T>(work: Promise<T>) => work.finally(release) };
}

function depsOf(store: FakeStore, notifier: FakeNotifier, lambda: LambdaRegistry) {
  return { lambda, store: store as unknown as DeploymentStore, health, notifier, clock };
}

describe('repairers racing on one deployment', () => {
  it('two sweeps finishing the rollback of the same FAILED split deployment converge: ROLLED_BACK, alias on the snapshot, notified once', async () => {
    // Prepare
    const { aliases, store, notifier, record } = splitDeployment('FAILED');
    const race = racing(aliases, 3);

    // Act: both read the FAILED record and the split alias before either restored it.
    const [first, second] = await Promise.all([
      repairFailed(depsOf(store, notifier, race.first), record, 'sweeper'),
      race.secondFinished(repairFailed(depsOf(store, notifier, race.second), record, 'sweeper')),
    ]);

    // Assess
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
    expect(store.record.status).toBe('ROLLED_BACK');
    expect([first.finished?.status, second.finished?.status]).toEqual(['ROLLED_BACK', 'ROLLED_BACK']);
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['rolledBack']);
    expect(store.events.map((event) => event.kind)).not.toContain('drifted');
    expect(store.lockHolder).toBeUndefined();
  });

  it('the sweeper and the safety net finishing the same FAILED split deployment converge on one ROLLED_BACK and one notification', async () => {
    // Prepare
    const { aliases, store, notifier, record } = splitDeployment('FAILED');
    const race = racing(aliases, 3);

    // Act
    await Promise.all([
      repairFailed(depsOf(store, notifier, race.first), record, 'safety-net'),
      race.secondFinished(repairFailed(depsOf(store, notifier, race.second), record, 'sweeper')),
    ]);

    // Assess
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
    expect(store.record.status).toBe('ROLLED_BACK');
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['rolledBack']);
    expect(store.lockHolder).toBeUndefined();
  });

  it('two sweeps taking over the same open split deployment converge: ROLLED_BACK, alias on the snapshot, notified once', async () => {
    // Prepare: its execution ended without ending it.
    const { aliases, store, notifier } = splitDeployment('RUNNING');
    const race = racing(aliases, 2);
    const reason = 'the execution ended FAILED without recording the outcome';

    // Act
    const [first, second] = await Promise.all([
      repairOpen(depsOf(store, notifier, race.first), 'dep-1', { by: 'sweeper', reason }),
      race.secondFinished(repairOpen(depsOf(store, notifier, race.second), 'dep-1', { by: 'sweeper', reason })),
    ]);

    // Assess
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
    expect(store.record.status).toBe('ROLLED_BACK');
    expect([first.status, second.status]).toEqual(['ROLLED_BACK', 'ROLLED_BACK']);
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['rolledBack']);
    expect(store.lockHolder).toBeUndefined();
  });

  it('still leaves an alias someone else changed while two repairers raced: DRIFTED, untouched, notified once', async () => {
    // Prepare: a person moves the alias to version 3 while both repairers are at it.
    const { aliases, store, notifier, record } = splitDeployment('FAILED');
    let updates = 0;
    const lambda = {
      getAlias: () => aliases.getAlias(),
      updateAlias: (input: { routing: AliasRouting; revisionId: string }) => {
        // The person acts just before the first repairer's update lands.
        updates += 1;
        if (updates === 1) aliases.changeBySomeoneElse({ version: '3', weights: {} });
        return aliases.updateAlias(input);
      },
    } as unknown as LambdaRegistry;
    const deps = depsOf(store, notifier, lambda);

    // Act
    await Promise.all([repairFailed(deps, record, 'sweeper'), repairFailed(deps, record, 'sweeper')]);

    // Assess
    expect(aliases.alias).toMatchObject({ version: '3', weights: {} });
    expect(store.record.status).toBe('DRIFTED');
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['drifted']);
  });
});

describe('finishers racing on one ending on a compressed clock (local mode, the reliability suite)', () => {
  it('does not let a second finisher overtake a live claimant once 5 simulated minutes have passed in 1.5 real seconds', async () => {
    // Prepare: a drifted ending to settle, on a clock where 5 minutes last 1.5 real seconds.
    const timeScale = 0.005;
    let now = 1_000_000;
    const clock = { now: () => now, sleep: async () => undefined, timeScale };
    const notification: DeploymentNotification = { kind: 'drifted', deploymentId: 'dep-1', functionName: 'fn', alias: 'live', startedBy: 'test', reason: 'changed', aliasDescription: 'all traffic on version 3' };
    const { record: split } = splitDeployment('FAILED');
    const store = new FakeStore({ ...split, status: 'DRIFTED', notified: [], ending: { eventKey: 'outcome', eventKind: 'drifted', message: 'not repaired', at: now, notification } });
    const sent: DeploymentNotification[] = [];
    let sending: () => void = () => undefined;
    let release: () => void = () => undefined;
    const firstSending = new Promise<void>((resolve) => (sending = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const notifier: Notifier = {
      async notify(n) {
        sent.push(n);
        if (sent.length === 1) {
          sending();
          await released;
        }
      },
    };
    const deps = { store: store as unknown as DeploymentStore, health, notifier, clock };

    // Act: the first finisher is slowed down (a busy machine) past the simulated lease while sending.
    const first = settle(deps, store.record);
    await firstSending;
    now += NOTIFICATION_LEASE_MS;
    const second = await settle(deps, store.record);
    release();
    await first;
    // A later pass finds it sent.
    const later = await settle(deps, store.record);

    // Assess
    expect(second.pending).toEqual([expect.stringContaining('is being sent by another finisher')]);
    expect(later.pending).toEqual([]);
    expect(sent).toEqual([notification]);
    expect(store.record.notified).toEqual(['outcome']);
  });

  it('still lets the next finisher send for one that died mid-send, once the real-time floor has passed', async () => {
    // Prepare: the first finisher claims the send, then never comes back (a Lambda timeout).
    const timeScale = 0.005;
    let now = 1_000_000;
    const clock = { now: () => now, sleep: async () => undefined, timeScale };
    const notification: DeploymentNotification = { kind: 'rolledBack', deploymentId: 'dep-1', functionName: 'fn', alias: 'live', startedBy: 'test', reason: 'alarm' };
    const { record: split } = splitDeployment('FAILED');
    const store = new FakeStore({ ...split, status: 'ROLLED_BACK', notified: [], ending: { eventKey: 'outcome', eventKind: 'rolledBack', message: 'rolled back', at: now, notification } });
    const sent: DeploymentNotification[] = [];
    const notifier: Notifier = {
      notify: (n) => {
        sent.push(n);
        return sent.length === 1 ? new Promise<void>(() => undefined) : Promise.resolve();
      },
    };
    const deps = { store: store as unknown as DeploymentStore, health, notifier, clock };
    void settle(deps, store.record);
    // It has claimed and is mid-send before the next finisher comes (the order of their awaits decides nothing).
    await vi.waitFor(() => expect(sent).toHaveLength(1));

    // Act
    const whileHeld = await settle(deps, store.record);
    now += NOTIFICATION_LEASE_REAL_MS / timeScale;
    const afterLease = await settle(deps, store.record);

    // Assess
    expect(whileHeld.pending).toEqual([expect.stringContaining('is being sent by another finisher')]);
    expect(afterLease.pending).toEqual([]);
    expect(sent).toEqual([notification, notification]);
    expect(store.record.notified).toEqual(['outcome']);
  });
});

/**
 * Two whole sweeps at the same moment (the schedule and an invocation of the sweeper function),
 * on the real table adapter over the embedded DynamoDB, so the conditional writes are DynamoDB's own.
 */
describe('two sweeps at the same moment', () => {
  let aws: LocalAws;
  let client: DynamoDBClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    client = new DynamoDBClient(clientConfig(aws));
  });
  afterAll(async () => {
    client.destroy();
    await aws.stop();
  });

  it('finish the rollback of a FAILED split deployment once: ROLLED_BACK, alias on the snapshot, notified once', async () => {
    // Prepare: the table holds the FAILED deployment (its failure already notified) and its lock.
    await client.send(new CreateTableCommand(deploymentTableDefinition('sweeps')));
    const store = new DynamoDbDeploymentStore(client, 'sweeps', clock);
    const { aliases, notifier, record } = splitDeployment('FAILED');
    await store.createDeployment(record);
    await store.acquireLock({ functionName: 'fn', alias: 'live', holder: 'dep-1', expiresAt: clock.now() + 3_600_000 }, clock.now());
    const race = racing(aliases, 3);
    const orchestrator = { describeExecution: async () => undefined } as unknown as Orchestrator;
    const deps = (lambda: LambdaRegistry) => ({ lambda, store, health, notifier, clock, orchestrator });

    // Act
    const [first, second] = await Promise.all([sweep(deps(race.first)), race.secondFinished(sweep(deps(race.second)))]);

    // Assess
    expect([...first.failures, ...second.failures]).toEqual([]);
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
    expect(await store.getDeployment('dep-1')).toMatchObject({ status: 'ROLLED_BACK' });
    expect(notifier.sent.map((sent) => sent.kind)).toEqual(['rolledBack']);
    expect((await store.listEvents('dep-1')).map((event) => event.kind)).not.toContain('drifted');
    expect(await store.getLock('fn', 'live')).toBeUndefined();
  });
});
