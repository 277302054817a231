import type { EngineDeps } from './deps';
import { DeploymentFinishedError, DeploymentRefusedError, LockConflictError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import type { AliasSnapshot, DeploymentRecord, EngineState } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { rollbackTargetProblem } from './readiness';
import { lockNameOf } from './record';
import { describeRouting, isSplit } from './routing';
import { trafficStepsFor } from '../spec/steps';

/** How long after its deadline a lock stays valid: long enough for a rollback to finish. */
export const LOCK_MARGIN_MS = 15 * 60 * 1000;
/**
 * The tag every function fledge creates carries. A stack deployed with RequireManagedTag=true acts
 * only on functions tagged so: an untagged function fledge created could never be touched again.
 */
export const MANAGED_TAG = { key: 'fledge:managed', value: 'true' } as const;
/** How long Prepare waits for a newly created function to become Active. */
const CREATE_SETTLE_MS = 5 * 60 * 1000;

/**
 * The Prepare task: creates the record if the starter did not, takes the per-alias lock,
 * snapshots the alias before anything changes, and creates the function if it does not exist.
 * Safe to retry: the record, the lock and the snapshot are each taken once and reused.
 */
export async function prepare(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock'>, state: EngineState): Promise<EngineState> {
  const { lambda, store, clock } = deps;
  const { deploymentId, spec } = state;
  const now = clock.now();
  const record = await store.createDeployment({
    deploymentId,
    functionName: spec.function.name,
    alias: spec.alias,
    status: 'PENDING',
    spec,
    artifact: state.artifact,
    startedBy: state.startedBy,
    source: state.source,
    createdAt: now,
    updatedAt: now,
    ...(state.target !== undefined && { target: { id: state.target.id, accountId: state.target.accountId, region: state.target.region } }),
    ...(state.parentId !== undefined && { parentId: state.parentId }),
  });
  if (isTerminal(record.status)) throw new DeploymentFinishedError(`deployment ${deploymentId} already ended ${record.status}`);
  if (spec.targets !== undefined && spec.targets.length > 0) {
    // Run as one deployment, a spec with targets would deploy here instead of to its targets.
    throw new DeploymentRefusedError(`deployment ${deploymentId}: the spec lists targets (${spec.targets.map((target) => target.id).join(', ')}), so it runs as a wave run, one deployment per target; nothing was changed here`);
  }
  const startedAt = record.startedAt ?? now;
  const deadline = record.deadline ?? startedAt + spec.timeout * 1000;

  await takeLock(deps, record, deadline, now);

  let snapshot = record.snapshot;
  if (!snapshot) {
    const fn = await lambda.getFunction(spec.function.name);
    const alias = fn ? ((await lambda.getAlias(spec.function.name, spec.alias)) ?? null) : null;
    if (alias && isSplit(alias)) {
      throw new DeploymentRefusedError(`alias ${spec.function.name}:${spec.alias} already splits traffic (${describeRouting(alias)}); settle it before deploying`);
    }
    const targetProblem = alias ? await rollbackTargetProblem(deps, spec.function.name, spec.alias, alias.version) : undefined;
    if (targetProblem) throw new DeploymentRefusedError(targetProblem);
    snapshot = { alias, functionExisted: fn !== undefined } satisfies AliasSnapshot;
    await store.updateDeployment(deploymentId, {
      snapshot,
      status: 'RUNNING',
      startedAt,
      deadline,
      ...(alias ? { aliasRevisionId: alias.revisionId } : {}),
    });
  }
  if (!snapshot.functionExisted) await createFunctionIfMissing(deps, state);

  await store.appendEvent(
    event(deploymentId, eventKeys.started(), 'started', startedAt, `deployment of ${spec.function.name}:${spec.alias} started by ${state.startedBy} (${state.source})`, {
      previousVersion: snapshot.alias?.version ?? null,
      functionExisted: snapshot.functionExisted,
      deadline: new Date(deadline).toISOString(),
    }),
  );
  return {
    ...state,
    startedAt,
    deadline,
    // The execution carries the snapshot: Rollback restores from it when the table does not answer.
    snapshot,
    ...(snapshot.alias ? { aliasRevisionId: snapshot.alias.revisionId } : {}),
    trafficSteps: trafficStepsFor(spec, { aliasExists: snapshot.alias !== null }),
    stepIndex: 0,
    weight: 0,
  };
}

async function takeLock(deps: Pick<EngineDeps, 'store'>, record: DeploymentRecord, deadline: number, now: number): Promise<void> {
  const { store } = deps;
  const lock = { functionName: lockNameOf(record), alias: record.alias, holder: record.deploymentId, expiresAt: deadline + LOCK_MARGIN_MS };
  const held = await store.acquireLock(lock, now);
  if (!held) return;
  // A holder that has finished (its release was lost) cannot complain about a takeover.
  const holder = await store.getDeployment(held.holder);
  if (!holder || isTerminal(holder.status)) {
    const still = await store.acquireLock(lock, now, held.holder);
    if (!still) return;
  }
  throw new LockConflictError(
    `${record.functionName}:${record.alias} is being deployed by ${held.holder} (lock held until ${new Date(held.expiresAt).toISOString()}); deployment ${record.deploymentId} was not started`,
    held.holder,
  );
}

async function createFunctionIfMissing(deps: Pick<EngineDeps, 'lambda'>, state: EngineState): Promise<void> {
  const { lambda } = deps;
  const name = state.spec.function.name;
  const existing = await lambda.getFunction(name);
  if (!existing) {
    const configuration = state.spec.configuration ?? {};
    if ('bucket' in state.artifact && (!configuration.runtime || !configuration.handler || !configuration.role)) {
      throw new DeploymentRefusedError(`function ${name} does not exist: creating it needs configuration.runtime, handler and role in the spec`);
    }
    if (!configuration.role) throw new DeploymentRefusedError(`function ${name} does not exist: creating it needs configuration.role in the spec`);
    await lambda.createFunction({ functionName: name, artifact: state.artifact, configuration, tags: { [MANAGED_TAG.key]: MANAGED_TAG.value } });
  }
  await lambda.waitUntilSettled(name, { timeoutMs: CREATE_SETTLE_MS });
}
