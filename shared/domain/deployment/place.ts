import type { EngineDeps } from './deps';
import { TransientAwsError } from '../../model/engine-errors';
import type { DeploymentRecord } from '../../model/deployment';
import type { TargetSpec } from '../../model/spec';

/**
 * The deps that act where `record`'s function lives. One target of a wave run (its record names
 * `target` and `parentId`) lives in the target's account and region: its Lambda and CloudWatch
 * are the target's, with the role its parent's spec names assumed. Everything else — and every
 * other port (the table, SNS, Step Functions) — is fledge's own.
 *
 * The repairers (the safety net, the sweeper, the alarm abort) go through this before they touch an
 * alias: restoring a target's alias with fledge's own Lambda would find no such alias, or a
 * same-named one of fledge's account, and record DRIFTED while the target stays split.
 */
export async function actingIn<D extends Pick<EngineDeps, 'lambda' | 'health' | 'store'> & Partial<Pick<EngineDeps, 'targets'>>>(deps: D, record: DeploymentRecord): Promise<D> {
  if (record.target === undefined) return deps;
  const target = await targetSpecOf(deps, record);
  if (deps.targets === undefined) throw new Error(`unreachable: deployment ${record.deploymentId} runs in target ${target.id}, and this function has no access to targets`);
  return { ...deps, ...deps.targets.portsFor(target) };
}

/**
 * The whole target of one target's deployment (its role and external id), from its wave run's
 * spec: the record keeps only where the target is, the parent's spec how to get there.
 */
async function targetSpecOf(deps: Pick<EngineDeps, 'store'>, record: DeploymentRecord): Promise<TargetSpec> {
  const place = record.target!;
  const parent = record.parentId === undefined ? undefined : await deps.store.getDeployment(record.parentId);
  const target = parent?.spec.targets?.find((one) => one.id === place.id);
  // The parent is written before any target starts and never deleted with it: a miss is the table's.
  if (target === undefined) throw new TransientAwsError(`deployment ${record.deploymentId} runs in target ${place.id} (account ${place.accountId}, ${place.region}), whose role its wave run ${record.parentId ?? '(none)'} does not name (yet): not touched`);
  return target;
}
