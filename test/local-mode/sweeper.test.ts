import { afterEach, describe, expect, it } from 'vitest';
import { startLocalMode } from '../../local/mode';
import { spec } from '../support/engine';
import { eventually } from '../support/local-aws';

describe('the repair loop in local mode', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('ends a deployment stuck with its lock held, on its own, on the simulated clock', async () => {
    // Prepare: a starter wrote the record and the lock was taken, but no execution ever ran.
    process.env['FLEDGE_LOG'] ??= 'off';
    const mode = await startLocalMode({ port: 0, apiPort: 0, dataDir: null, timeScale: 0.005, discoveryDir: false });
    cleanups.push(() => mode.stop());
    const { store } = mode.plane.deps;
    const now = mode.aws.clock.now();
    const id = 'stuck-without-execution';
    await store.createDeployment({ deploymentId: id, functionName: 'stuck-fn', alias: 'live', status: 'PENDING', spec: spec('stuck-fn', { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: 'k' }, startedBy: 'test', source: 'test', createdAt: now, updatedAt: now });
    await store.acquireLock({ functionName: 'stuck-fn', alias: 'live', holder: id, expiresAt: now + 86_400_000 }, now);

    // Act: nobody asks; the scheduled sweeps (every 5 simulated minutes) find it.
    const ended = await eventually(
      async () => {
        const record = await store.getDeployment(id);
        const lock = await store.getLock('stuck-fn', 'live');
        // The status is written first, then the ending's side effects (lock, event): wait for all.
        const told = record?.notified?.includes('outcome') === true;
        return record?.status === 'REJECTED' && !lock && told ? record : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the sweeper to end the stuck deployment' },
    );

    // Assess
    // Past its start deadline, by the starters' own rule (a retry of the start had its time).
    expect(ended.reason).toBe('its execution did not start within 15 minutes; nothing was changed: start the deployment again');
    expect((await store.listEvents(id)).map((event) => [event.key, event.kind])).toEqual([['outcome', 'rejected']]);
  });
});
