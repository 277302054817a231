import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '@fledge-local/embedded-aws';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb-store';
import { deploymentTableDefinition } from '../../shared/adapters/dynamodb-table';
import { settle } from '../../shared/domain/deployment/finish';
import type { DeploymentRecord } from '../../shared/model/deployment';
import { NOTIFICATION_LEASE_MS } from '../../shared/domain/deployment/notify-once';
import { SWEEP_DEFAULTS, sweep } from '../../shared/domain/deployment/sweeper';
import type { HealthSignals } from '../../shared/ports/health-signals';
import type { LambdaRegistry } from '../../shared/ports/lambda-registry';
import type { DeploymentNotification } from '../../shared/model/notification';
import type { Notifier } from '../../shared/ports/notifier';
import type { Orchestrator } from '../../shared/ports/orchestrator';
import { spec } from '../support/engine';
import { clientConfig } from '../support/local-aws';

/**
 * One notification per outcome when several finishers settle the same ending at once (issue 12):
 * a task and its retry, the safety net, the sweeper. The real table adapter on the embedded
 * DynamoDB, so the claim's conditional write is DynamoDB's own.
 */
describe('finishers racing on one ending', () => {
  let aws: LocalAws;
  let client: DynamoDBClient;
  let tables = 0;
  let now = Date.parse('2026-11-22T00:00:00Z');
  const clock = { now: () => now, sleep: async () => undefined };
  const health = { deleteAlarms: async () => undefined } as unknown as HealthSignals;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    client = new DynamoDBClient(clientConfig(aws));
  });
  afterAll(async () => {
    client.destroy();
    await aws.stop();
  });

  /** A table of its own (the sweeper lists the whole table), holding one ended deployment and its settling mark. */
  async function endedDeployment(extra: Partial<DeploymentRecord> = {}): Promise<{ store: DynamoDbDeploymentStore; record: DeploymentRecord }> {
    tables += 1;
    const table = `racing-${tables}`;
    await client.send(new CreateTableCommand(deploymentTableDefinition(table)));
    const store = new DynamoDbDeploymentStore(client, table, clock);
    const notification: DeploymentNotification = { kind: 'rolledBack', deploymentId: 'dep-1', functionName: 'fn', alias: 'live', startedBy: 'test', reason: 'alarm' };
    const record: DeploymentRecord = {
      deploymentId: 'dep-1',
      functionName: 'fn',
      alias: 'live',
      status: 'ROLLED_BACK',
      reason: 'alarm',
      spec: spec('fn', { kind: 'allAtOnce' }),
      artifact: { bucket: 'b', key: 'k' },
      startedBy: 'test',
      source: 'test',
      createdAt: now,
      updatedAt: now,
      ending: { eventKey: 'outcome', eventKind: 'rolledBack', message: 'rolled back', at: now, notification },
      ...extra,
    };
    await store.createDeployment(record);
    await store.markSettling(record.deploymentId, now);
    return { store, record: (await store.getDeployment(record.deploymentId))! };
  }

  /** A notifier whose first send is held open until released, so a second finisher runs while the first is sending. */
  function heldNotifier() {
    const sent: DeploymentNotification[] = [];
    let sending: () => void = () => undefined;
    let release: () => void = () => undefined;
    const firstSending = new Promise<void>((resolve) => (sending = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const notifier: Notifier = {
      async notify(notification) {
        sent.push(notification);
        if (sent.length === 1) {
          sending();
          await released;
        }
      },
    };
    return { notifier, sent, firstSending, releaseFirstAfter: (done: Promise<unknown>) => void done.finally(release) };
  }

  it('sends one notification when two finishers settle the same ending at the same time', async () => {
    // Prepare: both finishers read the record before either sent (the notification not yet marked).
    const { store, record } = await endedDeployment();
    const held = heldNotifier();
    const deps = { health, store, notifier: held.notifier, clock };

    // Act: the first is sending while the second settles from the same record.
    const first = settle(deps, record);
    await held.firstSending;
    const second = settle(deps, record);
    held.releaseFirstAfter(second);
    const [firstDone, secondDone] = await Promise.all([first, second]);
    const stored = await store.getDeployment(record.deploymentId);
    // A later pass (the sweeper, a retry) finds it sent.
    const third = await settle(deps, stored!);

    // Assess
    expect(held.sent).toEqual([record.ending?.notification]);
    expect(firstDone.pending).toEqual([]);
    expect(secondDone.pending).toEqual([expect.stringMatching(/^notify: the notification of outcome is being sent by another finisher/)]);
    expect(stored?.notified).toEqual(['outcome']);
    expect(stored?.notifying).toBeUndefined();
    // The second's "being sent by another finisher" is not left on the record once the first has sent it.
    expect(stored?.unsettled).toBeUndefined();
    expect(third.pending).toEqual([]);
    expect(held.sent).toHaveLength(1);
    expect(await store.listSettling()).toEqual([]);
  });

  it('takes over a claim whose lease ran out, so a finisher that died while sending does not suppress the notification', async () => {
    // Prepare: a finisher claimed the send, then died (a Lambda timeout) before sending or marking it.
    const { store, record } = await endedDeployment({ notifying: { key: 'outcome', claimant: 'died-while-sending', until: now + NOTIFICATION_LEASE_MS } });
    const sent: DeploymentNotification[] = [];
    const deps = { health, store, notifier: { notify: async (n: DeploymentNotification) => void sent.push(n) }, clock };

    // Act
    const whileHeld = await settle(deps, record);
    now += NOTIFICATION_LEASE_MS;
    const afterLease = await settle(deps, (await store.getDeployment(record.deploymentId))!);

    // Assess
    expect(whileHeld.pending).toEqual([expect.stringContaining('is being sent by another finisher')]);
    expect(afterLease.pending).toEqual([]);
    expect(sent).toEqual([record.ending?.notification]);
    expect((await store.getDeployment(record.deploymentId))?.notified).toEqual(['outcome']);
  });

  it('lets the next finisher send at once when a send failed, without waiting for the lease', async () => {
    // Prepare: the notifier fails once (SNS throttling).
    const { store, record } = await endedDeployment();
    const sent: DeploymentNotification[] = [];
    let failures = 1;
    const notifier: Notifier = {
      async notify(notification) {
        if (failures-- > 0) throw new Error('Publish: throttled');
        sent.push(notification);
      },
    };
    const deps = { health, store, notifier, clock };

    // Act
    const failed = await settle(deps, record);
    const retried = await settle(deps, (await store.getDeployment(record.deploymentId))!);

    // Assess
    expect(failed.pending).toEqual(['notify: Publish: throttled']);
    expect(retried.pending).toEqual([]);
    expect(sent).toEqual([record.ending?.notification]);
  });

  it('leaves a fresh ending to whoever ended it, and completes it once the grace period is over', async () => {
    // Prepare: the ending is still being retried by its own task (its notification not sent yet).
    const { store, record } = await endedDeployment();
    const sent: DeploymentNotification[] = [];
    const deps = {
      store,
      health,
      clock,
      notifier: { notify: async (n: DeploymentNotification) => void sent.push(n) },
      lambda: {} as LambdaRegistry,
      orchestrator: { describeExecution: async () => undefined } as unknown as Orchestrator,
    };

    // Act
    const early = await sweep(deps);
    now += SWEEP_DEFAULTS.graceMs;
    const late = await sweep(deps);

    // Assess
    expect(early).toEqual({ actions: [], failures: [] });
    expect(late.actions).toEqual([{ deploymentId: record.deploymentId, did: 'settled' }]);
    expect(sent).toEqual([record.ending?.notification]);
    expect(await store.listSettling()).toEqual([]);
  });
});
