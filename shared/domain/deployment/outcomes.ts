import type { EngineDeps } from './deps';
import { factsOf, finish } from './finish';
import type { EngineState } from './model';
import { isTerminal } from './model';
import { reasonFrom } from './reason';
import { loadRecord } from './record';
import { describeRouting, isSplit } from './routing';

type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/** The RecordNoChange task: the published version is the one the alias already serves. */
export async function recordNoChange(deps: Deps, state: EngineState): Promise<EngineState> {
  const record = await loadRecord(deps.store, state.deploymentId);
  if (isTerminal(record.status)) return state;
  await finish(deps, record, {
    status: 'NO_CHANGE',
    eventKind: 'noChange',
    message: `nothing to deploy: ${record.functionName}:${record.alias} already serves this code and configuration (version ${state.published?.version ?? '?'})`,
  });
  return state;
}

/** The RecordDrift task: someone else changed the alias; fledge touches nothing and says so. */
export async function recordDrift(deps: Deps, state: EngineState): Promise<EngineState> {
  const record = await deps.store.getDeployment(state.deploymentId);
  if (!record || isTerminal(record.status)) return state;
  const alias = (await deps.lambda.getAlias(record.functionName, record.alias)) ?? null;
  const reason = reasonFrom(state.failure);
  await finish(deps, record, {
    status: 'DRIFTED',
    reason,
    eventKind: 'drifted',
    message: `stopped: the alias was changed by someone else (${describeRouting(alias)}); fledge left it alone`,
    data: { alias },
    notification: { kind: 'drifted', ...factsOf(record), reason, aliasDescription: describeRouting(alias) },
  });
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
  if (isTerminal(record.status)) return state;
  await finish(deps, { ...record, alarmName: undefined }, {
    status: 'REJECTED',
    reason,
    eventKind: 'rejected',
    message: `refused: ${reason}`,
    notification: { kind: 'rejected', ...factsOf(record), reason },
  });
  return state;
}

/**
 * The RollbackFailed task: the rollback itself could not complete. The record says FAILED with
 * exactly what state the alias is in; the lock stays when the alias is split, so no other
 * deployment starts on it (the safety net tries the rollback once more).
 */
export async function rollbackFailed(deps: Deps, state: EngineState): Promise<EngineState> {
  const record = await deps.store.getDeployment(state.deploymentId);
  if (!record || (isTerminal(record.status) && record.status !== 'FAILED')) return state;
  let aliasDescription: string;
  let split = true;
  try {
    const alias = (await deps.lambda.getAlias(record.functionName, record.alias)) ?? null;
    aliasDescription = `alias ${record.functionName}:${record.alias}: ${describeRouting(alias)}${alias ? ` (revision ${alias.revisionId})` : ''}`;
    split = alias !== null && isSplit(alias);
  } catch (error) {
    aliasDescription = `alias ${record.functionName}:${record.alias}: unknown, reading it failed too (${(error as Error).message})`;
  }
  const reason = `${reasonFrom(state.failure)}; then the rollback failed (${reasonFrom(state.rollbackFailure)}); ${aliasDescription}`;
  await finish(deps, record, {
    status: 'FAILED',
    reason,
    eventKind: 'failed',
    message: `rollback failed: ${aliasDescription}`,
    keepLock: split,
    notification: { kind: 'failed', ...factsOf(record), reason, aliasDescription },
  });
  return state;
}
