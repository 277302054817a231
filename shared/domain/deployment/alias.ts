import type { DeploymentStore } from '../../ports/deployment-store';
import type { LambdaRegistry } from '../../ports/lambda-registry';
import { AliasDriftedError, DeploymentFinishedError, InvalidTaskInputError } from './errors';
import type { AliasIntent, AliasRouting, AliasState, DeploymentRecord } from './model';
import { REPAIRABLE_STATUSES } from './record';
import { describeRouting, percentOn, sameRouting } from './routing';

type Ports = { readonly lambda: LambdaRegistry; readonly store: DeploymentStore };

/**
 * Whether fledge itself put the alias in `current`: it has the revision fledge last recorded,
 * or it equals the change fledge announced (write-ahead intent) before a response was lost.
 */
export function isOwnState(record: DeploymentRecord, current: AliasState): boolean {
  if (record.aliasRevisionId !== undefined && current.revisionId === record.aliasRevisionId) return true;
  return record.intent?.target != null && sameRouting(current, record.intent.target);
}

/**
 * Moves the alias to `target`, safely: refuses to overwrite a change someone else made (drift),
 * writes its intent before acting, guards the update with the revision it read, and records the
 * new revision after. Safe to retry: a retry that finds the alias already at `target` succeeds.
 * Creates the alias when the deployment started without one.
 */
export async function changeAlias(ports: Ports, record: DeploymentRecord, target: AliasRouting, description: string, actor: Actor = 'execution'): Promise<AliasState> {
  const { lambda, store } = ports;
  const functionName = record.functionName;
  const current = await lambda.getAlias(functionName, record.alias);
  if (!current) {
    if (record.snapshot?.alias) {
      throw new AliasDriftedError(`alias ${functionName}:${record.alias} was deleted by someone else during deployment ${record.deploymentId}`);
    }
    await announce(store, record, { target, expectedRevisionId: null, description }, actor);
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
  if (!isOwnState(record, current)) {
    throw new AliasDriftedError(
      `alias ${functionName}:${record.alias} was changed by someone else during deployment ${record.deploymentId}: expected revision ${record.aliasRevisionId ?? '(none)'}, found ${describeRouting(current)} (revision ${current.revisionId})`,
    );
  }
  if (sameRouting(current, target)) {
    await recordAlias(store, record, current, target);
    return current;
  }
  await announce(store, record, { target, expectedRevisionId: current.revisionId, description }, actor);
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
 * Who changes the alias: a task of the deployment's execution, or the safety net after the
 * execution ended (a task may outlive its stopped execution; it must not move the alias then).
 */
export type Actor = 'execution' | 'safety-net';

/**
 * Writes the intent, only while the deployment is still open (or FAILED, for the safety net's
 * repair), and for a task of the execution only until the safety net has taken over.
 */
async function announce(store: DeploymentStore, record: DeploymentRecord, intent: AliasIntent, actor: Actor): Promise<void> {
  const written = await store.updateDeployment(record.deploymentId, { intent }, { onlyIfStatusIn: REPAIRABLE_STATUSES, unlessAbandoned: actor === 'execution' });
  if (!written) throw new DeploymentFinishedError(`deployment ${record.deploymentId} has ended: not changing alias ${record.functionName}:${record.alias} (${intent.description})`);
}

async function recordAlias(store: DeploymentStore, record: DeploymentRecord, alias: AliasState, target: AliasRouting): Promise<void> {
  const weight = record.newVersion === undefined ? undefined : percentOn(target, record.newVersion);
  await store.updateDeployment(record.deploymentId, { aliasRevisionId: alias.revisionId, intent: null, ...(weight === undefined ? {} : { currentWeight: weight }) });
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
 */
export async function restoreAlias(ports: Ports, record: DeploymentRecord, actor: Actor = 'execution'): Promise<RestoreOutcome> {
  const { lambda, store } = ports;
  if (!record.snapshot) throw new InvalidTaskInputError(`deployment ${record.deploymentId} has no alias snapshot to restore`);
  const before = record.snapshot.alias;
  const current = (await lambda.getAlias(record.functionName, record.alias)) ?? null;
  if (!before) {
    if (!current) return { kind: 'unchanged', alias: null };
    if (!isOwnState(record, current)) return { kind: 'drifted', alias: current };
    await announce(store, record, { target: null, expectedRevisionId: current.revisionId, description: 'delete the alias fledge created' }, actor);
    await lambda.deleteAlias(record.functionName, record.alias);
    await store.updateDeployment(record.deploymentId, { intent: null, currentWeight: 0 });
    return { kind: 'restored', alias: null };
  }
  const target: AliasRouting = { version: before.version, weights: {} };
  if (!current) return { kind: 'drifted', alias: null };
  if (sameRouting(current, target)) {
    let alias = current;
    if (actor === 'safety-net' && record.intent?.target && !sameRouting(current, record.intent.target)) {
      // Outside the execution (the safety net), a change that was announced but not seen may
      // still be on its way from a task that outlived its stopped execution. Touching the alias
      // gives it a new revision, so that late update fails its guard.
      alias = await lambda.updateAlias({ functionName: record.functionName, alias: record.alias, routing: target, revisionId: current.revisionId });
    }
    await store.updateDeployment(record.deploymentId, { aliasRevisionId: alias.revisionId, intent: null, currentWeight: 0 });
    return { kind: 'unchanged', alias };
  }
  if (!isOwnState(record, current)) return { kind: 'drifted', alias: current };
  try {
    const restored = await changeAlias(ports, record, target, `roll back to version ${before.version}`, actor);
    return { kind: 'restored', alias: restored };
  } catch (error) {
    if (!(error instanceof AliasDriftedError)) throw error;
    return { kind: 'drifted', alias: (await lambda.getAlias(record.functionName, record.alias)) ?? null };
  }
}
