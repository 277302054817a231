import { restoreAlias } from './alias';
import type { EngineDeps } from './deps';
import { finish, factsOf } from './finish';
import type { DeploymentStatus } from './model';
import { isTerminal } from './model';
import { loadRecord, REPAIRABLE_STATUSES } from './record';
import { rollBackRecord } from './rollback';
import { describeRouting, isSplit } from './routing';

/** The execution statuses the safety net acts on: those that end without running any Catch. */
export type AbnormalEnd = 'FAILED' | 'TIMED_OUT' | 'ABORTED';

const WORDS: Record<AbnormalEnd, string> = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was aborted' };

/** What the safety net did. */
export type SafetyNetOutcome = 'ignored' | 'already-settled' | 'repaired' | DeploymentStatus;

/**
 * Repairs a deployment whose execution ended without its own rollback (StopExecution, the
 * execution timeout, an unhandled failure): restores the alias from the snapshot (drift-aware),
 * deletes the alarm, releases the lock and sets the status. Idempotent: a deployment the engine
 * already ended is only checked for a leftover lock, so a second delivery changes nothing.
 */
export async function safetyNet(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, input: { deploymentId: string; executionStatus: AbnormalEnd }): Promise<SafetyNetOutcome> {
  const { store } = deps;
  const record = await store.getDeployment(input.deploymentId);
  if (!record) return 'ignored';
  if (isTerminal(record.status) && record.status !== 'FAILED') {
    await store.releaseLock(record.functionName, record.alias, record.deploymentId);
    return 'already-settled';
  }
  // Take the deployment over first: from now on no task of the ended execution may announce an
  // alias change, and one announced before shows in the record read next (and gets fenced off).
  await store.updateDeployment(input.deploymentId, { abandonedAt: deps.clock.now() });
  if (record.status === 'FAILED') return repairFailed(deps, input.deploymentId);
  const current = await loadRecord(store, input.deploymentId);
  const reason = `the execution ${WORDS[input.executionStatus]}`;
  return rollBackRecord(deps, current, reason, { eventMessage: `rolled back by the safety net: ${reason}`, from: REPAIRABLE_STATUSES, actor: 'safety-net' });
}

/** A FAILED deployment (its rollback could not finish) gets one more try at restoring the alias. */
async function repairFailed(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, deploymentId: string): Promise<SafetyNetOutcome> {
  const record = await loadRecord(deps.store, deploymentId);
  const alias = await deps.lambda.getAlias(record.functionName, record.alias);
  if (!record.snapshot || !alias || !isSplit(alias)) {
    await deps.store.releaseLock(record.functionName, record.alias, record.deploymentId);
    return 'already-settled';
  }
  const outcome = await restoreAlias(deps, record, 'safety-net');
  if (outcome.kind === 'drifted') return 'FAILED';
  await finish(deps, record, {
    status: 'ROLLED_BACK',
    reason: `${record.reason ?? 'rollback failed'}; the safety net then restored the alias (${describeRouting(outcome.alias)})`,
    eventKind: 'rolledBack',
    message: `alias restored by the safety net: ${describeRouting(outcome.alias)}`,
    from: ['FAILED'],
    eventKey: 'safety-net-repair',
    notification: { kind: 'rolledBack', ...factsOf(record), reason: `the safety net restored the alias after a failed rollback` },
  });
  return 'repaired';
}
