import type { EngineDeps } from './deps';
import { finish, settle, type Ending } from './finish';
import type { DeploymentRecord } from '../../model/deployment';
import { loadRecord } from './record';

type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/**
 * Records a promotion whose alias is whole on the new version and whose afterTraffic hook
 * passed. Never throws: the Promote state's Catch leads to Rollback, and no failure from here on
 * (the table, CloudWatch, the lock, a cleanup) may roll a healthy version back. Returns what was
 * left undone, as warnings; the sweeper completes it (a lock held by an ended deployment, or an
 * open record whose execution SUCCEEDED, is its sign).
 *
 * @param endings.ending builds the ending (it may do more work, e.g. the cleanup of old versions);
 * @param endings.plain the ending recorded when building that one fails.
 */
export async function finishPromotion(deps: Deps, deploymentId: string, endings: { ending: (record: DeploymentRecord) => Promise<Ending>; plain: Ending }): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const record = await loadRecord(deps.store, deploymentId);
    let ending = endings.plain;
    try {
      ending = await endings.ending(record);
    } catch (error) {
      warnings.push(`after the promotion: ${(error as Error).message}`);
    }
    const finished = await finish(deps, record, ending);
    warnings.push(...finished.pending);
  } catch (error) {
    warnings.push(`recording the promotion (the sweeper records it later): ${(error as Error).message}`);
  }
  return warnings;
}

/** A retried Promote that finds the deployment SUCCEEDED completes its side effects; never throws. */
export async function settleAfterPromotion(deps: Deps, record: DeploymentRecord): Promise<string[]> {
  try {
    return [...(await settle(deps, record)).pending];
  } catch (error) {
    return [(error as Error).message];
  }
}
