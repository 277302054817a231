import type { EngineDeps } from './deps';
import { requireSettled, settle } from './finish';
import type { DeploymentStatus } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { repairFailed, repairOpen } from './repair';
import { actingIn } from './place';

/** The execution statuses the safety net acts on: those that end without running any Catch. */
export type AbnormalEnd = 'FAILED' | 'TIMED_OUT' | 'ABORTED';

const WORDS: Record<AbnormalEnd, string> = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was aborted' };

/** What the safety net did. */
export type SafetyNetOutcome = 'ignored' | 'already-settled' | 'repaired' | DeploymentStatus;

/**
 * Repairs a deployment whose execution ended without its own rollback (StopExecution, the
 * execution timeout, an unhandled failure): restores the alias from the snapshot (drift-aware),
 * then the status and each side effect of the ending. Idempotent: on a deployment the engine
 * already ended it only completes what that ending left (so a second delivery changes nothing),
 * and a FAILED one (its rollback could not finish) gets the rollback finished. It throws while
 * anything is left, so Lambda's asynchronous retries deliver the event again; what still fails
 * then, the sweeper repairs once AWS answers.
 */
export async function safetyNet(home: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'> & Partial<Pick<EngineDeps, 'targets'>>, input: { deploymentId: string; executionStatus: AbnormalEnd }): Promise<SafetyNetOutcome> {
  const record = await home.store.getDeployment(input.deploymentId);
  if (!record) return 'ignored';
  // One target of a wave run is restored in its target, with its role.
  const deps = await actingIn(home, record);
  if (isTerminal(record.status) && record.status !== 'FAILED') {
    requireSettled(record.deploymentId, await settle(deps, record));
    return 'already-settled';
  }
  if (record.status === 'FAILED') {
    // The failure's own ending first (its event, its one notification): the repair replaces it.
    await settle(deps, record).catch(() => undefined);
    const repaired = await repairFailed(deps, record, 'safety-net');
    if (repaired.finished) requireSettled(record.deploymentId, repaired.finished);
    return repaired.kind === 'restored' ? 'repaired' : repaired.kind === 'drifted' ? 'DRIFTED' : 'already-settled';
  }
  const finished = await repairOpen(deps, input.deploymentId, { by: 'safety-net', reason: `the execution ${WORDS[input.executionStatus]}` });
  return requireSettled(record.deploymentId, finished);
}
