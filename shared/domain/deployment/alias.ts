import { releaseUnused } from './provisioned-concurrency';
import type { DeploymentStore } from '../../ports/deployment-store';
import type { LambdaRegistry } from '../../ports/lambda-registry';
import { AliasDriftedError, DeploymentFinishedError, InvalidTaskInputError, isAwsFailure } from '../../model/engine-errors';
import type { AliasIntent, AliasRouting, AliasSnapshot, AliasState, DeploymentRecord } from '../../model/deployment';
import { REPAIRABLE_STATUSES } from './record';
import { describeRouting, isSplit, percentOn, sameRouting } from './routing';

type Ports = { readonly lambda: LambdaRegistry; readonly store: DeploymentStore };

/**
 * What the execution itself knows about the alias, beyond the record: the revisions its tasks
 * returned, and the routings the task that failed may have set before its response was lost
 * (the execution's own write-ahead: a task's input determines the change it makes).
 */
export interface Carried {
  readonly revisions?: readonly string[];
  readonly targets?: readonly AliasRouting[];
}

/**
 * Whether fledge itself put the alias in `current`: it has the revision fledge last recorded
 * (in the record, or carried by the execution), or it equals the change fledge announced
 * (write-ahead intent, in the record or implied by the execution's state) before a response was lost.
 */
export function isOwnState(record: DeploymentRecord, current: AliasState, carried: Carried = {}): boolean {
  if (record.aliasRevisionId !== undefined && current.revisionId === record.aliasRevisionId) return true;
  if (carried.revisions?.includes(current.revisionId)) return true;
  if (record.intent?.target != null && sameRouting(current, record.intent.target)) return true;
  return carried.targets?.some((target) => sameRouting(current, target)) ?? false;
}

/**
 * Moves the alias to `target`, safely: refuses to overwrite a change someone else made (drift),
 * writes its intent before acting, guards the update with the revision it read, and records the
 * new revision after. Safe to retry: a retry that finds the alias already at `target` succeeds.
 * Creates the alias when the deployment started without one.
 */
export async function changeAlias(ports: Ports, record: DeploymentRecord, target: AliasRouting, description: string, actor: Actor = 'execution', restore?: { carried: Carried }): Promise<AliasState> {
  const { lambda, store } = ports;
  const announce = (intent: AliasIntent) => announceChange(store, record, intent, actor, restore !== undefined);
  const functionName = record.functionName;
  const current = await lambda.getAlias(functionName, record.alias);
  if (!current) {
    if (record.snapshot?.alias) {
      throw new AliasDriftedError(`alias ${functionName}:${record.alias} was deleted by someone else during deployment ${record.deploymentId}`);
    }
    await announce({ target, expectedRevisionId: null, description });
    let created: AliasState;
    try {
      created = await lambda.createAlias({ functionName, alias: record.alias, routing: target, description: `managed by fledge (deployment ${record.deploymentId})` });
    } catch (error) {
      // Created by a first attempt whose response was lost, or by someone else meanwhile.
      const now = await lambda.getAlias(functionName, record.alias);
      if (!(error instanceof AliasDriftedError) || !now || !sameRouting(now, target)) throw error;
      created = now;
    }
    await recordAlias(store, record, created, target);
    return created;
  }
  if (!isOwnState(record, current, restore?.carried)) {
    throw new AliasDriftedError(
      `alias ${functionName}:${record.alias} was changed by someone else during deployment ${record.deploymentId}: expected revision ${record.aliasRevisionId ?? '(none)'}, found ${describeRouting(current)} (revision ${current.revisionId})`,
    );
  }
  if (sameRouting(current, target)) {
    await recordAlias(store, record, current, target);
    return current;
  }
  await announce({ target, expectedRevisionId: current.revisionId, description });
  let updated: AliasState;
  try {
    updated = await lambda.updateAlias({ functionName, alias: record.alias, routing: target, revisionId: current.revisionId });
  } catch (error) {
    if (!(error instanceof AliasDriftedError)) throw error;
    const now = await lambda.getAlias(functionName, record.alias);
    if (!now || !sameRouting(now, target)) throw error;
    updated = now;
  }
  await recordAlias(store, record, updated, target);
  return updated;
}

/**
 * Who changes the alias: a task of the deployment's execution, or the safety net or the sweeper
 * after the execution ended (a task may outlive its stopped execution; it must not move the alias then).
 */
export type Actor = 'execution' | 'safety-net' | 'sweeper' | 'abort';

/**
 * Writes the intent, only while the deployment is still open (or FAILED, for a repair), and for a
 * task of the execution only until the safety net or the sweeper has taken over. A restore
 * (back to the snapshot) goes on when the table does not answer: its target is the snapshot,
 * the revision guard still protects someone else's change, and a retry that finds the alias
 * restored needs no intent to recognise it. Moving traffic forward always needs the intent.
 */
async function announceChange(store: DeploymentStore, record: DeploymentRecord, intent: AliasIntent, actor: Actor, restoring: boolean): Promise<void> {
  let written: DeploymentRecord | undefined;
  try {
    written = await store.updateDeployment(record.deploymentId, { intent }, { onlyIfStatusIn: REPAIRABLE_STATUSES, unlessAbandoned: actor === 'execution' });
  } catch (error) {
    if (restoring && isAwsFailure(error)) return;
    throw error;
  }
  if (!written) throw new DeploymentFinishedError(`deployment ${record.deploymentId} has ended: not changing alias ${record.functionName}:${record.alias} (${intent.description})`);
}

/**
 * Records the revision fledge now owns, best-effort: when the table fails after the alias
 * changed, the intent still in the record identifies the change, and the task's output carries
 * the revision — failing here would undo a change that was made (a promotion, a restore).
 */
async function recordAlias(store: DeploymentStore, record: DeploymentRecord, alias: AliasState, target: AliasRouting): Promise<void> {
  const weight = record.newVersion === undefined ? undefined : percentOn(target, record.newVersion);
  await bookkeeping(store.updateDeployment(record.deploymentId, { aliasRevisionId: alias.revisionId, intent: null, ...(weight === undefined ? {} : { currentWeight: weight }) }));
}

/** A record write after the alias changed: its failure is not the alias's. */
async function bookkeeping(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isAwsFailure(error)) throw error;
  }
}

/** Whether the alias is as the snapshot found it: whole on its version, or absent when it was. */
export function isAsSnapshot(alias: AliasState | null, snapshot: AliasSnapshot): boolean {
  if (!snapshot.alias) return alias === null;
  return alias !== null && alias.version === snapshot.alias.version && !isSplit(alias);
}

/** What restoring the snapshot did. */
export type RestoreOutcome =
  | { readonly kind: 'restored'; readonly alias: AliasState | null }
  | { readonly kind: 'unchanged'; readonly alias: AliasState | null }
  | { readonly kind: 'drifted'; readonly alias: AliasState | null };

/**
 * Puts the alias back as the snapshot found it (its version, routing cleared; or no alias when
 * there was none) — unless someone else changed it meanwhile, which is left alone (drift).
 * The safety net, outside the execution, also fences off a late update (see below).
 * Needs the table only for its bookkeeping: with `carried` from the execution's state, a
 * restore works from the snapshot and revisions the execution carries (see {@link carriedBy}).
 */
export async function restoreAlias(ports: Ports, record: DeploymentRecord, actor: Actor = 'execution', carried: Carried = {}): Promise<RestoreOutcome> {
  const outcome = await restoreRouting(ports, record, actor, carried);
  // The new version's provisioned concurrency goes with its traffic (never on a version no alias
  // routes to); after drift the alias is someone else's, and so is what it routes to.
  if (outcome.kind !== 'drifted' && (record.provisionedConcurrency ?? 0) > 0) await releaseUnused(ports, record.functionName, record.newVersion);
  return outcome;
}

async function restoreRouting(ports: Ports, record: DeploymentRecord, actor: Actor, carried: Carried): Promise<RestoreOutcome> {
  const { lambda, store } = ports;
  if (!record.snapshot) throw new InvalidTaskInputError(`deployment ${record.deploymentId} has no alias snapshot to restore`);
  const before = record.snapshot.alias;
  const current = (await lambda.getAlias(record.functionName, record.alias)) ?? null;
  if (!before) {
    if (!current) return { kind: 'unchanged', alias: null };
    if (!isOwnState(record, current, carried)) return { kind: 'drifted', alias: current };
    await announceChange(store, record, { target: null, expectedRevisionId: current.revisionId, description: 'delete the alias fledge created' }, actor, true);
    await lambda.deleteAlias(record.functionName, record.alias);
    await bookkeeping(store.updateDeployment(record.deploymentId, { intent: null, currentWeight: 0 }));
    return { kind: 'restored', alias: null };
  }
  const target: AliasRouting = { version: before.version, weights: {} };
  if (!current) return { kind: 'drifted', alias: null };
  if (sameRouting(current, target)) {
    let alias = current;
    if (actor !== 'execution' && record.intent?.target && !sameRouting(current, record.intent.target)) {
      // Outside the execution (the safety net), a change that was announced but not seen may
      // still be on its way from a task that outlived its stopped execution. Touching the alias
      // gives it a new revision, so that late update fails its guard.
      try {
        alias = await lambda.updateAlias({ functionName: record.functionName, alias: record.alias, routing: target, revisionId: current.revisionId });
      } catch (error) {
        // A concurrent repairer touched it first, fencing off the late update all the same.
        if (!(error instanceof AliasDriftedError)) throw error;
        const now = await lambda.getAlias(record.functionName, record.alias);
        if (!now || !sameRouting(now, target)) return { kind: 'drifted', alias: now ?? null };
        alias = now;
      }
    }
    await bookkeeping(store.updateDeployment(record.deploymentId, { aliasRevisionId: alias.revisionId, intent: null, currentWeight: 0 }));
    return { kind: 'unchanged', alias };
  }
  // The change announced before this restore (the record's intent) may still land while the
  // restore runs — a task of a running execution racing the alarm abort, or one that outlived its
  // stopped execution: its target is fledge's own state too, never someone else's.
  const own: Carried = record.intent?.target ? { ...carried, targets: [...(carried.targets ?? []), record.intent.target] } : carried;
  if (!isOwnState(record, current, own)) return { kind: 'drifted', alias: current };
  for (let attempt = 1; ; attempt += 1) {
    try {
      const restored = await changeAlias(ports, record, target, `roll back to version ${before.version}`, actor, { carried: own });
      return { kind: 'restored', alias: restored };
    } catch (error) {
      if (!(error instanceof AliasDriftedError)) throw error;
      const now = (await lambda.getAlias(record.functionName, record.alias)) ?? null;
      // A concurrent repairer (another sweep, the safety net, the alarm abort) restored it between
      // this one's read and its update: that restore is the outcome both are after, not drift.
      if (isAsSnapshot(now, record.snapshot)) return { kind: 'unchanged', alias: now };
      // The announced change landed between the read and the update (the guard failed on it):
      // restore again from there. Only one such change can be in flight — no task announces one
      // once the deployment is taken over — so a second failure is someone else's change.
      if (attempt < 3 && now && isOwnState(record, now, own)) continue;
      return { kind: 'drifted', alias: now };
    }
  }
}
