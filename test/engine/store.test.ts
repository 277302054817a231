import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '@fledge-local/embedded-aws';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb-store';
import { deploymentTableDefinition } from '../../shared/adapters/dynamodb-table';
import type { DeploymentRecord, DeploymentStatus } from '../../shared/model/deployment';
import { clientConfig } from '../support/local-aws';
import { spec } from '../support/engine';

describe('the deployments table (embedded DynamoDB)', () => {
  let aws: LocalAws;
  let client: DynamoDBClient;
  let store: DynamoDbDeploymentStore;
  let now = Date.parse('2026-11-22T00:00:00Z');
  const clock = { now: () => now, sleep: async () => undefined };

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    client = new DynamoDBClient(clientConfig(aws));
    await client.send(new CreateTableCommand(deploymentTableDefinition('deployments')));
    store = new DynamoDbDeploymentStore(client, 'deployments', clock);
  });
  afterAll(async () => {
    client.destroy();
    await aws.stop();
  });

  function record(id: string, functionName: string, alias: string, status: DeploymentStatus, createdAt: number): DeploymentRecord {
    return { deploymentId: id, functionName, alias, status, spec: spec(functionName, { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: 'k' }, startedBy: 't', source: 'test', createdAt, updatedAt: createdAt };
  }

  it('lists a function\'s deployments newest first, page by page, with no duplicates or gaps, filtered by alias and status', async () => {
    // Prepare: 45 deployments of `orders` on two aliases, and noise on another function.
    const base = Date.parse('2026-11-01T00:00:00Z');
    for (let i = 0; i < 45; i += 1) await store.createDeployment(record(`orders-${String(i).padStart(3, '0')}`, 'orders', i % 3 === 0 ? 'beta' : 'live', i % 5 === 0 ? 'ROLLED_BACK' : 'SUCCEEDED', base + i * 1000));
    for (let i = 0; i < 5; i += 1) await store.createDeployment(record(`other-${i}`, 'other', 'live', 'SUCCEEDED', base + i));

    // Act
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listDeployments({ functionName: 'orders', limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.deploymentId));
      cursor = page.cursor;
    } while (cursor);
    const liveRolledBack = await store.listDeployments({ functionName: 'orders', alias: 'live', status: 'ROLLED_BACK', limit: 100 });

    // Assess
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => `orders-${String(44 - i).padStart(3, '0')}`));
    expect(liveRolledBack.items.map((item) => item.deploymentId)).toEqual(['orders-040', 'orders-035', 'orders-025', 'orders-020', 'orders-010', 'orders-005']);
    expect(liveRolledBack.items[0]).not.toHaveProperty('PK');
  });

  it('moves a record between status listings when its status changes', async () => {
    // Prepare
    await store.createDeployment(record('moving-1', 'moving', 'live', 'RUNNING', now));

    // Act
    await store.updateDeployment('moving-1', { status: 'SUCCEEDED' }, { onlyIfStatusIn: ['RUNNING'] });
    const refused = await store.updateDeployment('moving-1', { status: 'ROLLED_BACK' }, { onlyIfStatusIn: ['RUNNING'] });

    // Assess
    expect(refused).toBeUndefined();
    expect((await store.listDeployments({ functionName: 'moving', status: 'RUNNING', limit: 10 })).items).toEqual([]);
    expect((await store.listDeployments({ functionName: 'moving', status: 'SUCCEEDED', limit: 10 })).items.map((item) => item.deploymentId)).toEqual(['moving-1']);
  });

  it('appends each event once, whatever the retries', async () => {
    // Act
    const first = await store.appendEvent({ deploymentId: 'moving-1', key: 'weight-0000', kind: 'weight', at: now, message: '10%' });
    const again = await store.appendEvent({ deploymentId: 'moving-1', key: 'weight-0000', kind: 'weight', at: now + 5, message: '10%' });

    // Assess
    expect([first, again]).toEqual([true, false]);
    expect(await store.listEvents('moving-1')).toHaveLength(1);
  });

  it('holds the alias lock for one deployment, lets it be taken over once expired or by name, and releases only for its holder', async () => {
    // Prepare
    const lock = { functionName: 'locked', alias: 'live', holder: 'dep-a', expiresAt: now + 60_000 };

    // Act / Assess
    expect(await store.acquireLock(lock, now)).toBeUndefined();
    expect(await store.acquireLock(lock, now)).toBeUndefined();
    expect(await store.acquireLock({ ...lock, holder: 'dep-b' }, now)).toMatchObject({ holder: 'dep-a' });
    expect(await store.acquireLock({ ...lock, holder: 'dep-b' }, now, 'dep-a')).toBeUndefined();
    await store.releaseLock('locked', 'live', 'dep-a');
    expect((await store.getLock('locked', 'live'))?.holder).toBe('dep-b');
    now += 120_000;
    expect(await store.acquireLock({ ...lock, holder: 'dep-c', expiresAt: now + 60_000 }, now)).toBeUndefined();
    await store.releaseLock('locked', 'live', 'dep-c');
    expect(await store.getLock('locked', 'live')).toBeUndefined();
  });

  it('decides an approval once', async () => {
    // Prepare
    await store.putApproval({ approvalId: 'dep-a.a2', deploymentId: 'dep-a', taskToken: 'token-1', status: 'PENDING', requestedAt: now, expiresAt: now + 1000 });
    await store.putApproval({ approvalId: 'dep-a.a2', deploymentId: 'dep-a', taskToken: 'token-2', status: 'PENDING', requestedAt: now, expiresAt: now + 1000 });

    // Act
    const first = await store.decideApproval('dep-a.a2', { status: 'APPROVED', by: 'alice', at: now });
    const second = await store.decideApproval('dep-a.a2', { status: 'REJECTED', by: 'mallory', at: now });

    // Assess: the retried request replaced the token; the second decision found nothing pending.
    expect(first).toMatchObject({ status: 'PENDING', taskToken: 'token-2' });
    expect(second).toBeUndefined();
    expect(await store.getApproval('dep-a.a2')).toMatchObject({ status: 'APPROVED', decidedBy: 'alice' });
  });
});
