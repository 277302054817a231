import { restoreAlias, type Actor } from './alias';
import type { EngineDeps } from './deps';
import { factsOf, finish } from './finish';
import type { DeploymentRecord, DeploymentStatus, EngineState } from './model';
import { isTerminal } from './model';
import { reasonFrom } from './reason';
import { OPEN_STATUSES } from './record';
import { describeRouting } from './routing';

type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/**
 * The Rollback task (every Catch of a failure ends here): the alias goes back to the snapshot's
 * version with routing cleared — unless someone else changed it meanwhile, which fledge leaves
 * alone and records as DRIFTED. Then the fledge alarm goes, the lock is released, and the
 * record says ROLLED_BACK with the reason taken from the caught error.
 */
export async function rollback(deps: Deps, state: EngineState): Promise<EngineState> {
  const record = await deps.store.getDeployment(state.deploymentId);
  // No record: Prepare failed before writing anything, so nothing was changed.
  if (!record || isTerminal(record.status)) return state;
  const reason = reasonFrom(state.failure, { approvalPending: state.action === 'approval' });
  await rollBackRecord(deps, record, reason, { eventMessage: `rolled back: ${reason}` });
  return state;
}

/**
 * Rolls back one deployment: shared by the Rollback task and the safety net. Returns the status
 * it ended with (ROLLED_BACK, DRIFTED, or the terminal status someone else set first).
 */
export async function rollBackRecord(deps: Deps, record: DeploymentRecord, reason: string, options: { eventMessage: string; from?: readonly DeploymentStatus[]; actor?: Actor }): Promise<DeploymentStatus> {
  const from = options.from ?? OPEN_STATUSES;
  if (!record.snapshot) {
    // Failed before the snapshot: fledge changed nothing, so there is nothing to restore.
    const ended = await finish(deps, record, { status: 'ROLLED_BACK', reason: `${reason} (nothing had been changed)`, eventKind: 'rolledBack', message: `${options.eventMessage} (nothing had been changed)`, from, notification: { kind: 'rolledBack', ...factsOf(record), reason } });
    return ended?.status ?? record.status;
  }
  const outcome = await restoreAlias(deps, record, options.actor ?? 'execution');
  if (outcome.kind === 'drifted') {
    const now = describeRouting(outcome.alias);
    const driftReason = `${reason}; the alias was changed by someone else (${now}), so fledge left it alone`;
    const ended = await finish(deps, record, {
      status: 'DRIFTED',
      reason: driftReason,
      eventKind: 'drifted',
      message: `not rolled back: alias changed by someone else (${now})`,
      data: { alias: outcome.alias },
      from,
      notification: { kind: 'drifted', ...factsOf(record), reason: driftReason, aliasDescription: now },
    });
    return ended?.status ?? record.status;
  }
  const restoredTo = record.snapshot.alias ? `version ${record.snapshot.alias.version}` : 'no alias (it did not exist before)';
  const ended = await finish(deps, record, {
    status: 'ROLLED_BACK',
    reason,
    eventKind: 'rolledBack',
    message: `${options.eventMessage}; alias back to ${restoredTo}`,
    data: { restoredVersion: record.snapshot.alias?.version ?? null, aliasWasChanged: outcome.kind === 'restored' },
    from,
    notification: { kind: 'rolledBack', ...factsOf(record), reason },
  });
  return ended?.status ?? record.status;
}
