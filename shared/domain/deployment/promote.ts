import { changeAlias } from './alias';
import type { EngineDeps } from './deps';
import { TransientAwsError } from './errors';
import { event, eventKeys } from './events';
import { describeEvidence, promotionEvidence } from './evidence';
import { factsOf, finish } from './finish';
import type { DeploymentRecord, EngineState } from './model';
import { requireVersion, runHook } from './pre-traffic';
import { loadRecord } from './record';

/**
 * The Promote task: the alias moves wholly to the new version with its routing cleared, the
 * afterTraffic hook runs (its failure rolls back to the snapshot), then the fledge alarm goes,
 * old versions are cleaned up, and the deployment SUCCEEDS, releasing the lock.
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
  // On what evidence: the record (fledge status), the history and the notification all say it.
  const evidence = promotionEvidence(state, version);
  record = (await store.updateDeployment(deploymentId, { evidence })) ?? (await loadRecord(store, deploymentId));
  const removed = spec.cleanup ? await cleanup(deps, record, spec.cleanup.keepVersions) : undefined;
  await finish(deps, record, {
    status: 'SUCCEEDED',
    eventKind: 'promoted',
    message: `version ${version} promoted ${describeEvidence(evidence)}: ${spec.function.name}:${spec.alias} sends all traffic to it${removed?.length ? `; removed old versions ${removed.join(', ')}` : ''}`,
    data: { version, previousVersion: previous, evidence, ...(removed ? { removedVersions: removed } : {}) },
    notification: { kind: 'promoted', ...factsOf(record), evidence },
  });
  return { ...state, weight: 100 };
}

/**
 * Deletes numbered versions beyond the newest `keep`, never one that an alias points at or
 * routes to. Failures are recorded, never fatal: rolling back a promoted version because a
 * cleanup failed would be worse than a leftover version.
 */
async function cleanup(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock'>, record: DeploymentRecord, keep: number): Promise<string[]> {
  const { lambda, store, clock } = deps;
  const removed: string[] = [];
  try {
    const versions = await lambda.listVersions(record.functionName);
    const aliases = await lambda.listAliases(record.functionName);
    const protectedVersions = new Set(aliases.flatMap((alias) => [alias.version, ...Object.keys(alias.weights)]));
    const sorted = [...versions].sort((a, b) => Number(b) - Number(a));
    for (const version of sorted.slice(Math.max(0, keep))) {
      if (protectedVersions.has(version)) continue;
      await lambda.deleteVersion(record.functionName, version);
      removed.push(version);
    }
  } catch (error) {
    await store.appendEvent(
      event(record.deploymentId, eventKeys.cleanup(), 'cleanup', clock.now(), `cleanup of old versions incomplete: ${(error as Error).message}`, {
        removed,
        transient: error instanceof TransientAwsError,
      }),
    );
  }
  return removed;
}
