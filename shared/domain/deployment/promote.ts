import { changeAlias } from './alias';
import { cleanupVersions } from './cleanup';
import type { EngineDeps } from './deps';
import { finish } from './finish';
import type { EngineState } from './model';
import { requireVersion, runHook } from './pre-traffic';
import { loadRecord } from './record';

/**
 * The Promote task: the alias moves wholly to the new version with its routing cleared, the
 * afterTraffic hook runs (its failure rolls back to the snapshot), then the fledge alarm goes,
 * old versions are cleaned up (never the version just left: see cleanup.ts), and the deployment
 * SUCCEEDS, releasing the lock.
 */
export async function promote(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, state: EngineState): Promise<EngineState> {
  const { store } = deps;
  const { deploymentId, spec } = state;
  const version = requireVersion(state);
  let record = await loadRecord(store, deploymentId);
  if (record.status === 'SUCCEEDED') return { ...state, weight: 100 };

  await changeAlias(deps, record, { version, weights: {} }, `promote version ${version}`);
  const previous = record.snapshot?.alias?.version ?? null;
  if (spec.hooks.afterTraffic) {
    await runHook(deps, spec.hooks.afterTraffic, { phase: 'afterTraffic', deploymentId, functionName: spec.function.name, alias: spec.alias, newVersion: version, previousVersion: previous });
  }
  record = await loadRecord(store, deploymentId);
  const removed = spec.cleanup ? await cleanupVersions(deps, record, spec.cleanup.keepVersions) : undefined;
  await finish(deps, record, {
    status: 'SUCCEEDED',
    eventKind: 'promoted',
    message: `version ${version} promoted: ${spec.function.name}:${spec.alias} sends all traffic to it${removed?.length ? `; removed old versions ${removed.join(', ')}` : ''}`,
    data: { version, previousVersion: previous, ...(removed ? { removedVersions: removed } : {}) },
  });
  return { ...state, weight: 100 };
}
