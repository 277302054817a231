import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRecord, DeploymentStatus } from '../../shared/model/deployment';
import { spec } from '../support/engine';
import { call } from './client';
import { startInterfaces, type InterfaceWorld } from './world';

type Page = { items: { deploymentId: string; functionName: string; alias: string; status: string; createdAt: string }[]; cursor?: string };

const TOTAL = 1000;
const FUNCTIONS = ['orders', 'payments', 'search', 'users'];
const STATUSES: DeploymentStatus[] = ['SUCCEEDED', 'ROLLED_BACK', 'SUCCEEDED', 'REJECTED', 'SUCCEEDED'];
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** The i-th seeded record: created one minute after the previous one. */
function seeded(i: number): DeploymentRecord {
  const functionName = FUNCTIONS[i % FUNCTIONS.length]!;
  const alias = i % 3 === 0 ? 'beta' : 'live';
  return {
    deploymentId: `seed-${String(i).padStart(4, '0')}`,
    functionName,
    alias,
    status: STATUSES[i % STATUSES.length]!,
    spec: spec(functionName, { kind: 'allAtOnce' }),
    artifact: { bucket: 'b', key: `k/${i}.zip` },
    startedBy: 'seed',
    source: 'test',
    createdAt: T0 + i * 60_000,
    updatedAt: T0 + i * 60_000,
  };
}

describe('listing deployments', () => {
  let world: InterfaceWorld;
  let base: string;

  beforeAll(async () => {
    world = await startInterfaces();
    base = world.api.url;
    for (let start = 0; start < TOTAL; start += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, n) => world.plane.deps.store.createDeployment(seeded(start + n))));
    }
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
  });

  async function all(query: string, limit: number): Promise<{ ids: string[]; pages: number; sizes: number[] }> {
    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call<Page>(base, 'GET', `/deployments?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((item) => item.deploymentId));
      sizes.push(page.body.items.length);
      cursor = page.body.cursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { ids, pages, sizes };
  }

  const expected = (keep: (r: DeploymentRecord) => boolean) =>
    Array.from({ length: TOTAL }, (_, i) => seeded(i))
      .filter(keep)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((r) => r.deploymentId);

  it('pages through 1,000 deployments newest first with no duplicates or gaps', async () => {
    // Act
    const { ids, sizes } = await all('', 100);

    // Assess
    expect(ids).toEqual(expected(() => true));
    expect(new Set(ids).size).toBe(TOTAL);
    expect(sizes.every((size) => size <= 100)).toBe(true);
  });

  it('filters by function, alias and status, each combination paged the same way', async () => {
    // Act
    const byFunction = await all('function=payments', 37);
    const byAlias = await all('function=orders&alias=beta', 25);
    const byStatus = await all('status=rolled_back', 100);
    const byAll = await all('function=search&alias=live&status=SUCCEEDED', 10);

    // Assess
    expect(byFunction.ids).toEqual(expected((r) => r.functionName === 'payments'));
    expect(byAlias.ids).toEqual(expected((r) => r.functionName === 'orders' && r.alias === 'beta'));
    expect(byStatus.ids).toEqual(expected((r) => r.status === 'ROLLED_BACK'));
    expect(byAll.ids).toEqual(expected((r) => r.functionName === 'search' && r.alias === 'live' && r.status === 'SUCCEEDED'));
  });

  it('stops at `since`: only deployments created at or after it', async () => {
    // Prepare
    const since = new Date(T0 + 900 * 60_000).toISOString();

    // Act
    const { ids } = await all(`since=${encodeURIComponent(since)}`, 30);

    // Assess
    expect(ids).toEqual(expected((r) => r.createdAt >= T0 + 900 * 60_000));
    expect(ids).toHaveLength(100);
  });

  it('refuses a cursor replayed on another filter', async () => {
    // Prepare
    const first = await call<Page>(base, 'GET', '/deployments?function=orders&limit=5');

    // Act
    const replayed = await call(base, 'GET', `/deployments?function=payments&limit=5&cursor=${encodeURIComponent(first.body.cursor!)}`);

    // Assess
    expect(first.body.cursor).toEqual(expect.any(String));
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ error: { code: 'InvalidCursor', details: { field: 'cursor', in: 'query', problems: [{ parameter: 'cursor' }] } } });
  });

  it('refuses a cursor replayed with another since', async () => {
    // Prepare
    const first = await call<Page>(base, 'GET', '/deployments?since=2026-01-01T00:00:00Z&limit=5');

    // Act
    const replayed = await call(base, 'GET', `/deployments?since=2026-01-01T00:00:01Z&limit=5&cursor=${encodeURIComponent(first.body.cursor!)}`);

    // Assess
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ error: { code: 'InvalidCursor' } });
  });

  it('refuses a cursor altered in any part, and one forged from a table key, with 400 InvalidCursor', async () => {
    // Prepare
    const first = await call<Page>(base, 'GET', '/deployments?function=orders&limit=5');
    const cursor = first.body.cursor!;
    const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    // A start key of the caller's choosing, wrapped as an unkeyed hash of the filters would wrap it.
    const key = { PK: 'DEP#seed-0500', SK: 'META', GSISK: `${new Date(T0 + 500 * 60_000).toISOString()}#seed-0500`, GSI1PK: 'FN#orders' };
    const tag = createHash('sha256').update(JSON.stringify({ functionName: 'orders' })).digest('base64url').slice(0, 12);
    const forged = [`${tag}.${Buffer.from(JSON.stringify(key)).toString('base64url')}`, `${Buffer.from(JSON.stringify(key)).toString('base64url')}.${'A'.repeat(43)}`];

    // Act
    const altered = await Promise.all([0, Math.floor(cursor.length / 2), cursor.length - 1].map((at) => call(base, 'GET', `/deployments?function=orders&limit=5&cursor=${encodeURIComponent(flip(cursor, at))}`)));
    const forgedAnswers = await Promise.all(forged.map((c) => call(base, 'GET', `/deployments?function=orders&limit=5&cursor=${encodeURIComponent(c)}`)));
    const genuine = await call<Page>(base, 'GET', `/deployments?function=orders&limit=5&cursor=${encodeURIComponent(cursor)}`);

    // Assess
    for (const response of [...altered, ...forgedAnswers]) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'InvalidCursor', details: { field: 'cursor', in: 'query' } } });
    }
    expect(genuine.status).toBe(200);
    expect(genuine.body.items).toHaveLength(5);
  });
});
