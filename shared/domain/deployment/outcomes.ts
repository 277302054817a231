import type { NotificationFacts } from '../../model/notification';
import { isAsSnapshot, isOwnState } from './alias';
import { carriedBy, recordFromState } from './carried';
import type { EngineDeps } from './deps';
import { isAwsFailure } from '../../model/engine-errors';
import { factsOf, finish, requireSettled, settle, type Finished } from './finish';
import type { AliasState, EngineState } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { reasonFrom } from './reason';
import { loadRecord } from './record';
import { leaveToTaker, readRecord } from './rollback';
import { describeRouting } from './routing';

type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/** The RecordNoChange task: the published version is the one the alias already serves. */
export async function recordNoChange(deps: Deps, state: EngineState): Promise<EngineState> {
  const record = await loadRecord(deps.store, state.deploymentId);
  if (isTerminal(record.status)) {
    requireSettled(record.deploymentId, await settle(deps, record));
    return state;
  }
  const finished = await finish(deps, record, {
    status: 'NO_CHANGE',
    eventKind: 'noChange',
    message: `nothing to deploy: ${record.functionName}:${record.alias} already serves this code and configuration (version ${state.published?.version ?? '?'})`,
  });
  requireSettled(record.deploymentId, finished);
  return state;
}

/** The RecordDrift task: someone else changed the alias; fledge touches nothing and says so. */
export async function recordDrift(deps: Deps, state: EngineState): Promise<EngineState> {
  const record = await deps.store.getDeployment(state.deploymentId);
  if (!record) return state;
  if (isTerminal(record.status)) {
    requireSettled(record.deploymentId, await settle(deps, record));
    return state;
  }
  const alias = (await deps.lambda.getAlias(record.functionName, record.alias)) ?? null;
  const reason = reasonFrom(state.failure);
  const finished = await finish(deps, record, {
    status: 'DRIFTED',
    reason,
    eventKind: 'drifted',
    message: `stopped: the alias was changed by someone else (${describeRouting(alias)}); fledge left it alone`,
    data: { alias },
    notification: { kind: 'drifted', ...factsOf(record), reason, aliasDescription: describeRouting(alias) },
  });
  requireSettled(record.deploymentId, finished);
  return state;
}

/** The RecordRejected task: the deployment was refused before it changed anything (lock held, alias split). */
export async function recordRejected(deps: Deps, state: EngineState): Promise<EngineState> {
  const record = await deps.store.getDeployment(state.deploymentId);
  const reason = reasonFrom(state.failure);
  if (!record) {
    // Prepare could not even create the record; nothing to update.
    return state;
  }
  if (isTerminal(record.status)) {
    requireSettled(record.deploymentId, await settle(deps, record));
    return state;
  }
  const finished = await finish(deps, record, {
    status: 'REJECTED',
    reason,
    eventKind: 'rejected',
    message: `refused: ${reason}`,
    notification: { kind: 'rejected', ...factsOf(record), reason },
  });
  requireSettled(record.deploymentId, finished);
  return state;
}

/**
 * The RollbackFailed task: the Rollback task gave up. The record says exactly what state the
 * alias is in: ROLLED_BACK when it is back on the snapshot after all (only recording failed),
 * else FAILED — keeping the lock, so no other deployment starts on an alias that is not as before
 * until the safety net or the sweeper has finished the rollback (see `repairFailed`). When the table does not answer (read or
 * write), people are told at once from what the execution carries, and the sweeper records the
 * outcome later without telling them again.
 */
export async function rollbackFailed(deps: Deps, state: EngineState): Promise<EngineState> {
  const { record, unreadable } = await readRecord(deps, state.deploymentId);
  if (!record && !unreadable) return state;
  if (record && isTerminal(record.status) && record.status !== 'FAILED') {
    // Rollback recorded its ending but could not complete it: the last try here, then the
    // sweeper (the ending is marked as settling) — the status needs nothing more.
    await settle(deps, record);
    return state;
  }
  if (record) leaveToTaker(record);
  const functionName = state.spec.function.name;
  const aliasName = state.spec.alias;
  let alias: AliasState | null | undefined;
  let aliasDescription: string;
  try {
    alias = (await deps.lambda.getAlias(functionName, aliasName)) ?? null;
    aliasDescription = `alias ${functionName}:${aliasName}: ${describeRouting(alias)}${alias ? ` (revision ${alias.revisionId})` : ''}`;
  } catch (error) {
    aliasDescription = `alias ${functionName}:${aliasName}: unknown, reading it failed too (${(error as Error).message})`;
  }
  const snapshot = record?.snapshot ?? state.snapshot;
  // Before the snapshot fledge had changed no alias: nothing to restore, so nothing failed to be.
  const restored = snapshot === undefined || (alias !== undefined && isAsSnapshot(alias, snapshot));
  // The revision of an alias fledge itself left (the execution carries what the record may have
  // missed): recorded with FAILED, so the repair recognises its own change and finishes the rollback.
  const ownRevision = record && alias && isOwnState(record, alias, carriedBy(state)) ? alias.revisionId : undefined;
  const failure = reasonFrom(state.failure);
  const rollbackFailure = reasonFrom(state.rollbackFailure);
  // The table does not answer: tell people now, from what the execution carries. The execution
  // then ends `fledge.RollbackFailed`, which tells the sweeper (recording it later) that people
  // were told; if even this fails it ends `fledge.Unreported`, and the sweeper tells them.
  const report = async (why: string): Promise<EngineState> => {
    const facts = record ? factsOf(record) : factsFromState(state);
    const unrecorded = `${why}; fledge records it when the table answers`;
    await deps.notifier.notify(
      restored ? { kind: 'rolledBack', ...facts, reason: `${failure}; ${unrecorded}` } : { kind: 'failed', ...facts, reason: `${failure}; then the rollback failed (${rollbackFailure}); ${unrecorded}`, aliasDescription },
    );
    return state;
  };
  if (!record) return report(`the deployment record could not be read (${unreadable?.message ?? 'the table does not answer'})`);
  let finished: Finished;
  try {
    finished = restored
      ? await finish(deps, record, {
          status: 'ROLLED_BACK',
          reason: `${failure} (${snapshot ? `the alias is back on ${snapshot.alias ? `version ${snapshot.alias.version}` : 'no alias'}` : 'nothing had been changed'}; recording it failed at first: ${rollbackFailure})`,
          eventKind: 'rolledBack',
          message: `rolled back: ${aliasDescription}`,
          notification: { kind: 'rolledBack', ...factsOf(record), reason: failure },
        })
      : await finish(deps, record, {
          status: 'FAILED',
          reason: `${failure}; then the rollback failed (${rollbackFailure}); ${aliasDescription}`,
          eventKind: 'failed',
          message: `rollback failed: ${aliasDescription}`,
          // The alias is not as before (or unknown): the lock stays until a repair has put it back.
          keepLock: true,
          ...(ownRevision ? { aliasRevisionId: ownRevision } : {}),
          notification: { kind: 'failed', ...factsOf(record), reason: `${failure}; then the rollback failed (${rollbackFailure}); ${aliasDescription}`, aliasDescription },
        });
  } catch (error) {
    // The status could not be written (settling never throws for its side effects).
    if (!isAwsFailure(error)) throw error;
    return report(`the deployment record could not be written (${(error as Error).message})`);
  }
  requireSettled(record.deploymentId, finished);
  return state;
}

/** The facts of a notification from the execution's state alone. */
function factsFromState(state: EngineState): NotificationFacts {
  const view = recordFromState(state, 0);
  if (view) return factsOf(view);
  return { deploymentId: state.deploymentId, functionName: state.spec.function.name, alias: state.spec.alias, ...(state.published ? { newVersion: state.published.version } : {}), startedBy: state.startedBy };
}
