import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDINGS_INDEX } from '../../shared/adapters/dynamodb-table';
import { call } from '../api/client';
import type { MetricsView } from '../../shared/interfaces/http/api/metrics-view';

type Refusal = { error: { message: string; details: { problems: { parameter: string }[] } } };
import { startInterfaces, type InterfaceWorld } from '../api/world';
import { EXPECTED, WINDOW } from './fixture';
import { seedHistory } from './seed';

const MIN = 60_000;
const window = `since=${new Date(WINDOW.from).toISOString()}&until=${new Date(WINDOW.to).toISOString()}`;

describe('GET /metrics: delivery metrics from the metrics index', () => {
  let world: InterfaceWorld;

  beforeAll(async () => {
    world = await startInterfaces();
    await seedHistory(world);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('answers the known history exactly, overall, per function and per ISO week', async () => {
    // Act
    const { status, body } = await call<MetricsView>(world.api.url, 'GET', `/metrics?${window}`);

    // Assess
    expect(status).toBe(200);
    expect(body.from).toBe('2026-11-02T00:00:00.000Z');
    expect(body.overall).toEqual({ deployments: 7, succeeded: 4, failedChanges: 3, deploymentsPerWeek: 2.33, changeFailureRate: 3 / 7, leadTime: { samples: 4, medianMs: 45 * MIN, p90Ms: 120 * MIN }, timeToRestore: { samples: 2, medianMs: 12.5 * MIN, p90Ms: 20 * MIN } });
    expect(body.functions.map((f) => f.functionName)).toEqual(['billing', 'orders']);
    expect(body.functions[1]).toMatchObject({ deployments: 3, changeFailureRate: 1 / 3, leadTime: { medianMs: 45 * MIN, p90Ms: 60 * MIN }, timeToRestore: { medianMs: 5 * MIN } });
    expect(body.weekly.map((w) => [w.week, w.deployments, w.failedChanges])).toEqual(EXPECTED.weekly.map((w) => [w.week, w.deployments, w.failedChanges]));
  });

  it('reads one function\'s endings as one key range, across month partitions', async () => {
    // Act: billing from mid-October, across the October and November partitions.
    const { status, body } = await call<MetricsView>(world.api.url, 'GET', `/metrics?function=billing&since=2026-10-15T00:00:00Z&until=${new Date(WINDOW.to).toISOString()}`);

    // Assess: b7 (1 Nov, before the fixture window) is in now; orders' are not.
    expect(status).toBe(200);
    expect(body.function).toBe('billing');
    expect(body.overall).toMatchObject({ deployments: 5, succeeded: 3, failedChanges: 2 });
    expect(body.functions.map((f) => f.functionName)).toEqual(['billing']);
  });

  it('keeps only the metrics fields in the index: no spec, no artifact, nothing of the whole record', async () => {
    // Act: the index read raw, as the store reads it.
    const out = await world.plane.clients.dynamodb.send(new QueryCommand({ TableName: world.plane.tableName, IndexName: ENDINGS_INDEX.name, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': ENDINGS_INDEX.partitionKey }, ExpressionAttributeValues: { ':pk': { S: 'ENDED#2026-11' } } }));

    // Assess: all 13 endings are of November (the running deployment is not indexed), each with only the projected fields and keys.
    expect(out.Items).toHaveLength(13);
    const allowed = new Set<string>([...ENDINGS_INDEX.projected, ENDINGS_INDEX.partitionKey, ENDINGS_INDEX.sortKey, 'PK', 'SK']);
    for (const item of out.Items ?? []) expect(Object.keys(item).filter((key) => !allowed.has(key))).toEqual([]);
  });

  it('refuses a bad window or an unknown parameter with 400 naming it, and defaults to the last 90 days', async () => {
    // Act
    const tooLong = await call<Refusal>(world.api.url, 'GET', '/metrics?since=500d');
    const garbled = await call<Refusal>(world.api.url, 'GET', '/metrics?since=yesterday&until=tomorrow&fn=x');
    const future = await call<Refusal>(world.api.url, 'GET', '/metrics?until=2999-01-01T00:00:00Z');
    const plain = await call<MetricsView>(world.api.url, 'GET', '/metrics');

    // Assess
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toContain('query parameter "since"');
    expect(tooLong.body.error.message).toContain('at most 400d');
    expect(garbled.status).toBe(400);
    expect(garbled.body.error.details.problems.map((p) => p.parameter).sort()).toEqual(['fn', 'since', 'until']);
    expect(future.status).toBe(400);
    expect(plain.status).toBe(200);
    expect(Date.parse(plain.body.to) - Date.parse(plain.body.from)).toBe(90 * 86_400_000);
  });

  it('answers each version\'s traffic of a deployment from CloudWatch, and 404 for one that does not exist', async () => {
    // Act
    const seeded = await call<{ deploymentId: string; periodSeconds: number; versions: unknown[] }>(world.api.url, 'GET', '/deployments/a2/traffic');
    const unknown = await call<Refusal>(world.api.url, 'GET', '/deployments/no-such-one/traffic');

    // Assess: a seeded record has no new version and no snapshot: nothing to read, and nothing read.
    expect(seeded.status).toBe(200);
    expect(seeded.body).toMatchObject({ deploymentId: 'a2', periodSeconds: 60, versions: [] });
    expect(unknown.status).toBe(404);
  });
});
