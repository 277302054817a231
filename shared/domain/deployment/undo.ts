import { changeAlias } from './alias';
import type { EngineDeps } from './deps';
import { AliasDriftedError, NotFoundError, UndoRefusedError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import { factsOf, finish } from './finish';
import type { AliasState, DeploymentRecord, UndoFacts } from '../../model/deployment';
import { takeLock } from './prepare';
import { versionProblem } from './readiness';
import { describeRouting, isSplit, sameRouting } from './routing';

/** The ports a `fledge rollback` uses: Lambda for the alias and the versions, the table, SNS for its one notification, the clock. */
export type UndoDeps = Pick<EngineDeps, 'lambda' | 'store' | 'notifier' | 'clock'>;

/** What a person asks for with `fledge rollback <function>:<alias> [--to-version N]`. */
export interface UndoRequest {
  readonly functionName: string;
  readonly alias: string;
  /** The version to move to; default: the version the alias served before its last SUCCEEDED deployment. */
  readonly toVersion?: string;
  /** Who asks (the caller's identity as the API records it). */
  readonly by: string;
  /** The door: `api`, `cli`, `local`. */
  readonly source: string;
  readonly reason?: string;
  /** The id of the record the rollback leaves (issued by the caller: `undo-<ulid>`). */
  readonly deploymentId: string;
}

/** How long the lock of a rollback is taken for: it holds the alias for one `UpdateAlias`. */
const UNDO_DEADLINE_MS = 60_000;

/**
 * Moves the alias back to a kept version at once — whole, never split — and records it as a
 * deployment of its own, `ROLLED_BACK`, naming the versions and who asked. Everything is decided
 * under the per-alias lock deployments take (so an undo never races one): a deployment under way,
 * an alias that splits traffic, nothing to undo, the alias already on the target, or a target that
 * is gone (pruned) or not Active are refused with nothing changed and no record left. The alias
 * moves with its revision guarded (someone else's change in between is refused too); the ending
 * goes through {@link finish} like every deployment's: status and ending first, then the history,
 * the one notification and the lock.
 *
 * @throws {@link NotFoundError} the alias does not exist.
 * @throws {@link LockConflictError} a deployment holds the alias.
 * @throws {@link UndoRefusedError} the rollback cannot be done as asked.
 */
export async function undoDeployment(deps: UndoDeps, request: UndoRequest): Promise<DeploymentRecord> {
  const { lambda, store, clock } = deps;
  const { functionName, alias, deploymentId } = request;
  const now = clock.now();
  const where = `${functionName}:${alias}`;
  const owner = { functionName, alias, deploymentId };
  await takeLock(deps, owner, now + UNDO_DEADLINE_MS, now, 'nothing was rolled back');
  let plan: Plan;
  try {
    plan = await planUndo(deps, request);
  } catch (error) {
    await store.releaseLock(functionName, alias, deploymentId);
    throw error;
  }
  const { current, target, base, undoes } = plan;
  const undo: UndoFacts = {
    fromVersion: current.version,
    toVersion: target,
    requestedBy: request.by,
    ...(undoes ? { undoes: undoes.deploymentId } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
  };
  const record = await store.createDeployment({
    deploymentId,
    functionName,
    alias,
    status: 'RUNNING',
    // The alias's own spec and artifact (its latest deployment's): the record reads like its others.
    spec: base.spec,
    artifact: base.artifact,
    startedBy: request.by,
    source: request.source,
    createdAt: now,
    updatedAt: now,
    startedAt: now,
    deadline: now + UNDO_DEADLINE_MS,
    // What the alias was before: the sweeper puts it back there should this request die midway.
    snapshot: { alias: current, functionExisted: true },
    aliasRevisionId: current.revisionId,
    newVersion: target,
    undo,
  });
  const asked = `rollback of ${where} from version ${current.version} to version ${target} asked by ${request.by} (${request.source})${request.reason ? `: ${request.reason}` : ''}`;
  await store.appendEvent(event(deploymentId, eventKeys.started(), 'started', now, asked, { ...undo }));

  try {
    await changeAlias(deps, record, { version: target, weights: {} }, `roll back to version ${target} on request`);
  } catch (error) {
    // The alias moves whole or not at all: read where it is, and end the record by that.
    const after = await lambda.getAlias(functionName, alias);
    if (!after || !sameRouting(after, { version: target, weights: {} })) {
      const why = error instanceof AliasDriftedError ? `the alias changed meanwhile (${after ? describeRouting(after) : 'deleted'})` : (error as Error).message;
      const reason = `rollback of ${where} to version ${target} not done: ${why}; nothing was changed by fledge`;
      await finish(deps, record, { status: 'REJECTED', reason, eventKind: 'rejected', message: reason, data: { ...undo }, notification: { kind: 'rejected', ...factsOf(record), reason } });
      throw error instanceof AliasDriftedError ? new UndoRefusedError(`${reason}: look at the alias and ask again`, 'alias-changed', { cause: error }) : error;
    }
  }
  const reason = `rolled back by ${request.by} on request: ${where} moved from version ${current.version} to version ${target}${undoes ? ` (undoing deployment ${undoes.deploymentId})` : ''}${request.reason ? `: ${request.reason}` : ''}`;
  const finished = await finish(deps, record, {
    status: 'ROLLED_BACK',
    reason,
    eventKind: 'rolledBack',
    message: reason,
    data: { ...undo, restoredVersion: target },
    notification: { kind: 'rolledBack', ...factsOf(record), reason },
  });
  return finished.record ?? (await store.getDeployment(deploymentId)) ?? record;
}

interface Plan {
  /** The alias as read under the lock. */
  readonly current: AliasState;
  readonly target: string;
  /** The alias's latest deployment: its spec and artifact go on the rollback's record. */
  readonly base: DeploymentRecord;
  /** The SUCCEEDED deployment undone, when the target is the default. */
  readonly undoes?: DeploymentRecord;
}

/** Decides the rollback under the lock, or refuses it with what is wrong. */
async function planUndo(deps: UndoDeps, request: UndoRequest): Promise<Plan> {
  const { lambda, store } = deps;
  const { functionName, alias } = request;
  const where = `${functionName}:${alias}`;
  const current = await lambda.getAlias(functionName, alias);
  if (!current) throw new NotFoundError(`no alias ${where}: there is nothing to roll back`);
  if (isSplit(current)) {
    throw new UndoRefusedError(`alias ${where} splits traffic (${describeRouting(current)}) and no deployment holds it: settle it by hand first; nothing was changed`, 'alias-split');
  }
  const latest = (await store.listDeployments({ functionName, alias, limit: 1 })).items[0];
  if (!latest) throw new UndoRefusedError(`fledge never deployed ${where}: it has no deployment to roll back; nothing was changed`, 'nothing-to-undo');
  const undoes = (await store.listDeployments({ functionName, alias, status: 'SUCCEEDED', limit: 1 })).items[0];
  let target = request.toVersion;
  if (target === undefined) {
    if (!undoes) throw new UndoRefusedError(`${where} has no SUCCEEDED deployment to undo: name the version with --to-version; nothing was changed`, 'nothing-to-undo');
    const previous = undoes.snapshot?.alias?.version;
    if (previous === undefined) {
      throw new UndoRefusedError(`deployment ${undoes.deploymentId} created alias ${where}: it served no version before; name one with --to-version; nothing was changed`, 'nothing-to-undo');
    }
    target = previous;
  }
  if (target === current.version) throw new UndoRefusedError(`alias ${where} is already on version ${target}: nothing was changed`, 'already-on-version');
  const problem = versionProblem(await lambda.getFunction(functionName, target), 0, 0);
  if (problem) {
    const kept = await lambda.listVersions(functionName);
    throw new UndoRefusedError(
      `version ${target} of ${functionName} ${problem}, so ${where} cannot be rolled back to it${problem === 'does not exist' ? ' (never published, or removed by cleanup.keepVersions after its undo window)' : ''}; versions kept: ${kept.length > 0 ? kept.join(', ') : 'none'}; nothing was changed`,
      'version-not-kept',
    );
  }
  return { current, target, base: latest, ...(undoes && undoes.snapshot?.alias?.version === target ? { undoes } : {}) };
}
