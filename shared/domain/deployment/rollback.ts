import { publishApprovalDecision } from './approval';
import { restoreAlias, type Actor, type Carried } from './alias';
import { carriedBy, recordFromState } from './carried';
import type { EngineDeps } from './deps';
import { DeploymentFinishedError, isAwsFailure, TransientAwsError } from '../../model/engine-errors';
import { factsOf, finish, requireSettled, settle, type Finished } from './finish';
import type { DeploymentRecord, DeploymentStatus, EngineState } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { reasonFrom } from './reason';
import { OPEN_STATUSES } from './record';
import { describeRouting } from './routing';
import { tellWebhooksOfRollback } from './webhooks';

type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/**
 * The Rollback task (every Catch of a failure ends here): the alias goes back to the snapshot's
 * version with routing cleared — unless someone else changed it meanwhile, which fledge leaves
 * alone and records as DRIFTED. Then the status, and each side effect of the ending.
 *
 * Restoring needs only what the execution carries (the snapshot and revisions in its state):
 * when the table does not answer, the alias is restored anyway and the task fails as transient
 * so its retry records the ending; what the retries cannot record, the sweeper does later.
 */
export async function rollback(deps: Deps & Pick<EngineDeps, 'webhooks'>, state: EngineState): Promise<EngineState> {
  const { record, unreadable } = await readRecord(deps, state.deploymentId);
  // No record: Prepare failed before writing anything, so nothing was changed.
  if (!record && !unreadable) return state;
  if (record && isTerminal(record.status)) {
    // Ended by an earlier attempt (or someone else): complete what that ending left.
    requireSettled(record.deploymentId, await settle(deps, record));
    return state;
  }
  if (record) awaitTakeover(record);
  // Rejected at an approval step: the decision (made through the API or a page) goes to every channel before the ending.
  if (record && state.action === 'approval') await publishApprovalDecision(deps, record, state);
  const reason = reasonFrom(state.failure, { approvalPending: state.action === 'approval' });
  const view = record ?? recordFromState(state, deps.clock.now());
  if (!view) {
    throw new TransientAwsError(`deployment ${state.deploymentId} cannot be recorded (the deployments table does not answer: ${unreadable?.message ?? 'unknown'}); no alias was changed before the snapshot`);
  }
  const finished = await rollBackRecord(deps, view, reason, { eventMessage: `rolled back: ${reason}`, carried: carriedBy(state) });
  // Told after the alias is back, once per ending (a retry that finds the ending recorded does not
  // call again); whatever they answer, the rollback stands.
  if (finished.status === 'ROLLED_BACK' || finished.status === 'DRIFTED') {
    await tellWebhooksOfRollback(deps, state, { weight: state.weight ?? 0, reason, outcome: finished.status }, record);
  }
  requireSettled(state.deploymentId, finished);
  return state;
}

/**
 * The alarm abort (or a superseding deployment, the safety net, the sweeper) has taken the
 * deployment over and is rolling it back: the execution's own restore is fenced off, so its
 * Rollback waits (retries) for that ending and then settles it.
 */
export function awaitTakeover(record: DeploymentRecord): void {
  const taker = takerOf(record);
  if (taker !== undefined) throw new TransientAwsError(`deployment ${record.deploymentId} is being rolled back by ${taker}; waiting for its ending`);
}

/**
 * RollbackFailed over a takeover: the taker records the ending with the takeover's reason, never
 * this execution with what it saw after it. The execution ends `fledge.Unreported`, so the safety
 * net finishes (and tells of) the ending should the taker have died.
 */
export function leaveToTaker(record: DeploymentRecord): void {
  const taker = takerOf(record);
  if (taker !== undefined) throw new DeploymentFinishedError(`deployment ${record.deploymentId} is being rolled back by ${taker}: its ending is left to it`);
}

/** Who is rolling an open deployment back, when it has been taken over (`abandonedAt`); nothing otherwise. */
function takerOf(record: DeploymentRecord): string | undefined {
  if (record.abandonedAt === undefined || isTerminal(record.status)) return undefined;
  // Only the alarm abort and a superseding deployment say why; the safety net and the sweeper take over for an ended execution.
  return record.abandonedFor !== undefined ? `the alarm abort or a superseding deployment (${record.abandonedFor})` : 'the safety net or the sweeper';
}

/** The record, or the AWS failure that kept it from being read (the table does not answer). */
export async function readRecord(deps: Pick<EngineDeps, 'store'>, deploymentId: string): Promise<{ record?: DeploymentRecord; unreadable?: Error }> {
  try {
    const record = await deps.store.getDeployment(deploymentId);
    return record ? { record } : {};
  } catch (error) {
    if (!isAwsFailure(error)) throw error;
    return { unreadable: error as Error };
  }
}

/**
 * Rolls back one deployment: shared by the Rollback task, the safety net and the sweeper.
 * Returns what {@link finish} did: the status it ended with (ROLLED_BACK, DRIFTED, or the
 * terminal status someone else set first) and the side effects still to do.
 */
export async function rollBackRecord(
  deps: Deps,
  record: DeploymentRecord,
  reason: string,
  options: {
    eventMessage: string;
    from?: readonly DeploymentStatus[];
    actor?: Actor;
    carried?: Carried;
    eventKey?: string;
    data?: Record<string, unknown>;
    /** People were told the alias is as before (by the execution, from its state). */
    alreadyNotified?: boolean;
    /** Epoch ms the failure was detected (the alarm's change); default: a check's recorded time, the stop request's, or now, before restoring. */
    failureDetectedAt?: number;
  },
): Promise<Finished> {
  const from = options.from ?? OPEN_STATUSES;
  // Taken before the alias is restored: time to restore runs from here to the ending.
  const detectedAt = options.failureDetectedAt ?? record.stopRequested?.at ?? deps.clock.now();
  const common = { from, failureDetectedAt: detectedAt, ...(options.eventKey ? { eventKey: options.eventKey } : {}) };
  // People told already were told the alias is as before: true only if nothing had to be restored now.
  const told = options.alreadyNotified ? { alreadyNotified: true } : {};
  if (!record.snapshot) {
    // Failed before the snapshot: fledge changed nothing, so there is nothing to restore.
    return finish(deps, record, {
      status: 'ROLLED_BACK',
      reason: `${reason} (nothing had been changed)`,
      eventKind: 'rolledBack',
      message: `${options.eventMessage} (nothing had been changed)`,
      ...common,
      ...told,
      ...(options.data ? { data: options.data } : {}),
      notification: { kind: 'rolledBack', ...factsOf(record), reason },
    });
  }
  const outcome = await restoreAlias(deps, record, options.actor ?? 'execution', options.carried);
  if (outcome.kind === 'drifted') {
    const now = describeRouting(outcome.alias);
    const driftReason = `${reason}; the alias was changed by someone else (${now}), so fledge left it alone`;
    return finish(deps, record, {
      status: 'DRIFTED',
      reason: driftReason,
      eventKind: 'drifted',
      message: `not rolled back: alias changed by someone else (${now})`,
      data: { alias: outcome.alias, ...options.data },
      ...common,
      notification: { kind: 'drifted', ...factsOf(record), reason: driftReason, aliasDescription: now },
    });
  }
  const restoredTo = record.snapshot.alias ? `version ${record.snapshot.alias.version}` : 'no alias (it did not exist before)';
  return finish(deps, record, {
    status: 'ROLLED_BACK',
    reason,
    eventKind: 'rolledBack',
    message: `${options.eventMessage}; alias back to ${restoredTo}`,
    data: { restoredVersion: record.snapshot.alias?.version ?? null, aliasWasChanged: outcome.kind === 'restored', ...options.data },
    ...common,
    ...(outcome.kind === 'unchanged' ? told : {}),
    notification: { kind: 'rolledBack', ...factsOf(record), reason },
  });
}
