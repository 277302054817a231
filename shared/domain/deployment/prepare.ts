import type { EngineDeps } from './deps';
import { DeploymentFinishedError, DeploymentRefusedError, LockConflictError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import type { AliasLock, AliasSnapshot, DeploymentRecord, EngineState } from '../../model/deployment';
import { isPublishedArtifact, isTerminal, type PublishedArtifact } from '../../model/deployment';
import { auditCallers, callersRefusal, callersWarning } from './callers';
import { rollbackTargetProblem } from './readiness';
import { lockNameOf, pendingRecord } from './record';
import { describeRouting, isSplit } from './routing';
import { trafficStepsFor } from '../spec/steps';
import { factsOf } from './finish';
import { appendAndPublish } from './publish-events';
import { waitingBehind, whenLocked } from './conflict';

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
 * snapshots the alias before anything changes, audits who invokes the function (callers that
 * bypass the alias are recorded, or refused under `callers: strict`), and creates the function if
 * it does not exist. Safe to retry: the record, the lock and the snapshot are each taken once and
 * reused; the audit's event has a fixed key.
 */
export async function prepare(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock' | 'callers'> & Partial<Pick<EngineDeps, 'health' | 'notifier'>>, state: EngineState): Promise<EngineState> {
  const { lambda, store, clock } = deps;
  const { deploymentId, spec } = state;
  const now = clock.now();
  const record = await store.createDeployment(pendingRecord(state, now));
  if (isTerminal(record.status)) throw new DeploymentFinishedError(`deployment ${deploymentId} already ended ${record.status}`);
  if (spec.targets !== undefined && spec.targets.length > 0) {
    // Run as one deployment, a spec with targets would deploy here instead of to its targets.
    throw new DeploymentRefusedError(`deployment ${deploymentId}: the spec lists targets (${spec.targets.map((target) => target.id).join(', ')}), so it runs as a wave run, one deployment per target; nothing was changed here`);
  }
  const startedAt = record.startedAt ?? now;
  const deadline = record.deadline ?? startedAt + spec.timeout * 1000;

  // A member's lock is its group's to take (all or none), and its conflicts are the group's.
  if (record.groupId === undefined) {
    const aliases = [{ functionName: record.functionName, alias: record.alias }];
    const ahead = await waitingBehind(deps, record, aliases);
    if (ahead) await whenLocked(deps, state, new LockConflictError(`${record.functionName}:${record.alias} has an older deployment queued for it, ${ahead}`, ahead));
    try {
      await takeLock(deps, record, deadline, now);
    } catch (error) {
      if (error instanceof LockConflictError) await whenLocked(deps, state, error);
      throw error;
    }
  } else {
    await takeLock(deps, record, deadline, now);
  }

  let snapshot = record.snapshot;
  let artifact = record.artifact;
  if (!snapshot) {
    const fn = await lambda.getFunction(spec.function.name);
    // Adoption is refused here, before the alias is looked at, let alone moved.
    if (isPublishedArtifact(artifact)) artifact = await adoptedVersion(deps, spec.function.name, artifact, fn !== undefined);
    const alias = fn ? ((await lambda.getAlias(spec.function.name, spec.alias)) ?? null) : null;
    if (alias && isSplit(alias)) {
      throw new DeploymentRefusedError(`alias ${spec.function.name}:${spec.alias} already splits traffic (${describeRouting(alias)}); settle it before deploying`);
    }
    const targetProblem = alias ? await rollbackTargetProblem(deps, spec.function.name, spec.alias, alias.version) : undefined;
    if (targetProblem) throw new DeploymentRefusedError(targetProblem);
    if (fn) {
      // Before anything moves: under callers: strict a bypassing caller is a refusal, with the alias untouched.
      const audit = await auditCallers(deps, spec);
      const refusal = callersRefusal(audit, spec);
      if (refusal) throw new DeploymentRefusedError(refusal);
      if (audit.bypassing.length > 0) {
        await store.appendEvent(
          event(deploymentId, eventKeys.callers(), 'callers', now, callersWarning(audit, spec), {
            bypassing: audit.bypassing.map(({ caller, target }) => ({ ...caller, target })),
            callers: audit.callers.length,
            ...(audit.versionsNotChecked > 0 ? { versionsNotChecked: audit.versionsNotChecked } : {}),
          }),
        );
      }
    }
    snapshot = { alias, functionExisted: fn !== undefined } satisfies AliasSnapshot;
    await store.updateDeployment(deploymentId, {
      snapshot,
      ...(artifact !== record.artifact && { artifact }),
      status: 'RUNNING',
      queuedBehind: null,
      startedAt,
      deadline,
      ...(alias ? { aliasRevisionId: alias.revisionId } : {}),
    });
  }
  if (!snapshot.functionExisted) await createFunctionIfMissing(deps, state);

  // Published once, by the attempt that adds it to the history (docs/events.md).
  await appendAndPublish(
    deps,
    event(deploymentId, eventKeys.started(), 'started', startedAt, `deployment of ${spec.function.name}:${spec.alias} started by ${state.startedBy} (${state.source})`, {
      previousVersion: snapshot.alias?.version ?? null,
      functionExisted: snapshot.functionExisted,
      deadline: new Date(deadline).toISOString(),
    }),
    { kind: 'started', ...factsOf({ ...record, snapshot }), source: state.source, strategy: spec.strategy.kind },
  );
  // A failure caught while queued (`fledge.Queued`) is not this deployment's.
  const { failure: _queued, ...rest } = state;
  return {
    ...rest,
    artifact,
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

/**
 * Takes `lock`: free, ours, expired, or held by a deployment that has ended (its release was lost
 * — it cannot complain about a takeover), which is taken over conditionally on that holder.
 * Returns the lock as it stands when someone else holds it.
 */
export async function acquireOrTakeOver(deps: Pick<EngineDeps, 'store'>, lock: AliasLock, now: number): Promise<AliasLock | undefined> {
  const { store } = deps;
  const held = await store.acquireLock(lock, now);
  if (!held) return undefined;
  const holder = await store.getDeployment(held.holder);
  if (!holder || isTerminal(holder.status)) return store.acquireLock(lock, now, held.holder);
  return held;
}

/**
 * Takes the per-alias lock for `record` until `deadline` plus {@link LOCK_MARGIN_MS}, as
 * {@link acquireOrTakeOver} does. Anything else is a {@link LockConflictError} whose message ends
 * with `refused` (what was not done). Prepare and `fledge rollback` take it the same way, so an
 * undo never races a deployment.
 */
export async function takeLock(
  deps: Pick<EngineDeps, 'store'>,
  record: Pick<DeploymentRecord, 'functionName' | 'alias' | 'deploymentId' | 'target'>,
  deadline: number,
  now: number,
  refused = `deployment ${record.deploymentId} was not started`,
): Promise<void> {
  // Per target: the same alias in two accounts or regions is two aliases.
  const lock = { functionName: lockNameOf(record), alias: record.alias, holder: record.deploymentId, expiresAt: deadline + LOCK_MARGIN_MS };
  const held = await acquireOrTakeOver(deps, lock, now);
  if (!held) return;
  throw new LockConflictError(
    `${record.functionName}:${record.alias} is being deployed by ${held.holder} (lock held until ${new Date(held.expiresAt).toISOString()}); ${refused}`,
    held.holder,
  );
}

/**
 * The version an adopting deployment shifts to: `artifact.version` checked to exist, or for
 * `fromLatest` the highest numbered version the function has now (recorded, so a retry of Prepare
 * and every later task use the same one even if another tool publishes meanwhile).
 */
async function adoptedVersion(deps: Pick<EngineDeps, 'lambda'>, name: string, artifact: PublishedArtifact, functionExists: boolean): Promise<PublishedArtifact> {
  if (!functionExists) throw new DeploymentRefusedError(`function ${name} does not exist: adopting a published version (artifact.${'fromLatest' in artifact ? 'fromLatest' : 'version'}) needs a function that some other tool created and published`);
  if ('publishedVersion' in artifact) {
    if ((await deps.lambda.getFunction(name, artifact.publishedVersion)) === undefined) {
      throw new DeploymentRefusedError(`function ${name} has no version ${artifact.publishedVersion} (artifact.version): publish it first (sam deploy, cdk deploy, terraform apply, serverless deploy), or name a version that exists`);
    }
    return artifact;
  }
  const versions = await deps.lambda.listVersions(name);
  const highest = versions.reduce<number | undefined>((max, version) => (/^\d+$/.test(version) && (max === undefined || Number(version) > max) ? Number(version) : max), undefined);
  if (highest === undefined) throw new DeploymentRefusedError(`function ${name} has no published version (artifact.fromLatest): publish one first, fledge does not publish when it adopts`);
  return { publishedVersion: String(highest) };
}

async function createFunctionIfMissing(deps: Pick<EngineDeps, 'lambda'>, state: EngineState): Promise<void> {
  const { lambda } = deps;
  const name = state.spec.function.name;
  const existing = await lambda.getFunction(name);
  if (!existing) {
    if (isPublishedArtifact(state.artifact)) throw new DeploymentRefusedError(`function ${name} does not exist: an adopted version needs an existing function`);
    const configuration = state.spec.configuration ?? {};
    if ('bucket' in state.artifact && (!configuration.runtime || !configuration.handler || !configuration.role)) {
      throw new DeploymentRefusedError(`function ${name} does not exist: creating it needs configuration.runtime, handler and role in the spec`);
    }
    if (!configuration.role) throw new DeploymentRefusedError(`function ${name} does not exist: creating it needs configuration.role in the spec`);
    await lambda.createFunction({ functionName: name, artifact: state.artifact, configuration, tags: { [MANAGED_TAG.key]: MANAGED_TAG.value } });
  }
  await lambda.waitUntilSettled(name, { timeoutMs: CREATE_SETTLE_MS });
}
