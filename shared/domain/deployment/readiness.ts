import type { FunctionState } from '../../ports/lambda-registry';
import type { EngineDeps } from './deps';
import { IncompatibleVersionsError, VersionNotReadyError } from '../../model/engine-errors';
import type { DeploymentRecord, EngineState } from '../../model/deployment';
import { splitsTraffic } from '../spec/steps';
import { LIMITS } from '../../model/spec-limits';

/**
 * The longest the engine waits for a published version to become Active, unless the spec's
 * `readiness.timeout` says less. It runs inside the PreTraffic task (at most 15 minutes), which
 * still needs time for the smoke test and the hook.
 */
export const VERSION_ACTIVE_TIMEOUT_MS = LIMITS.maxReadinessTimeout * 1000;

/** What {@link ensureReadyForTraffic} found. */
export interface Readiness {
  /** Simulated (deployment clock) ms spent waiting for the versions to become Active. */
  readonly waitedMs: number;
  /** Whether the strategy splits the alias between the two versions at some point. */
  readonly splits: boolean;
}

/**
 * Before any weight moves: waits — on the deployment's clock, at most the spec's
 * `readiness.timeout` ({@link VERSION_ACTIVE_TIMEOUT_MS} when absent) and never past the
 * deployment's deadline — until the new
 * version is Active (Lambda answers calls routed to a Pending version with
 * ResourceConflictException), checks that the rollback target (the alias's version in the
 * snapshot) exists and is Active, and, when the strategy splits traffic, that both versions have
 * the same execution role and dead-letter configuration (Lambda refuses a weighted alias
 * otherwise). Any problem is a named error raised while the alias is still untouched.
 *
 * @throws {@link VersionNotReadyError} a version is missing, Failed, Inactive or still Pending.
 * @throws {@link IncompatibleVersionsError} the strategy splits traffic between versions Lambda cannot split.
 */
export async function ensureReadyForTraffic(deps: Pick<EngineDeps, 'lambda' | 'clock'>, state: EngineState, record: DeploymentRecord, version: string): Promise<Readiness> {
  const { lambda, clock } = deps;
  const name = state.spec.function.name;
  const started = clock.now();
  const deadline = state.deadline ?? record.deadline;
  const allowedMs = readinessTimeoutMs(state.spec);
  const limit = Math.max(0, Math.min(allowedMs, deadline === undefined ? Infinity : deadline - started));
  const left = () => Math.max(0, started + limit - clock.now());

  const next = await lambda.waitForVersion(name, version, { timeoutMs: left() });
  const nextProblem = versionProblem(next, Math.round((clock.now() - started) / 1000), allowedMs);
  if (nextProblem) throw new VersionNotReadyError(`version ${version} of ${name} ${nextProblem}: no traffic was moved`);

  const target = record.snapshot?.alias?.version;
  if (target === undefined) return { waitedMs: clock.now() - started, splits: false };
  const previous = await lambda.waitForVersion(name, target, { timeoutMs: left() });
  const previousProblem = versionProblem(previous, Math.round((clock.now() - started) / 1000), allowedMs);
  if (previousProblem) {
    throw new VersionNotReadyError(
      `the rollback target, version ${target} of ${name} (what alias ${state.spec.alias} pointed at before this deployment), ${previousProblem}: fledge moves no traffic it could not move back`,
    );
  }

  const splits = splitsTraffic(state.trafficSteps ?? [], state.spec.approval);
  if (splits) {
    const conflicts = splitConflicts(previous!, next!);
    if (conflicts.length > 0) {
      throw new IncompatibleVersionsError(
        `Lambda cannot split alias ${name}:${state.spec.alias} between version ${target} and version ${version}: ${conflicts.join(' and ')}. ` +
          'Both versions of a weighted alias must have the same execution role and dead-letter queue configuration: ' +
          `deploy this change with strategy allAtOnce or blueGreen. No traffic was moved`,
      );
    }
  }
  return { waitedMs: clock.now() - started, splits };
}

/**
 * Why the version alias `alias` points at cannot be a rollback target, checked before anything
 * changes (Prepare): `$LATEST` is what the deployment rewrites, so it cannot be rolled back to; a
 * version that is gone, Failed or Inactive cannot take traffic back. A Pending one is waited for
 * before traffic moves. `undefined` when it will do.
 */
export async function rollbackTargetProblem(deps: Pick<EngineDeps, 'lambda'>, functionName: string, alias: string, version: string): Promise<string | undefined> {
  const where = `alias ${functionName}:${alias}`;
  if (version === '$LATEST') {
    return `${where} points at $LATEST, which this deployment rewrites, so it could not roll back to what the alias serves now: point the alias at a published version first`;
  }
  const fn = await deps.lambda.getFunction(functionName, version);
  if (fn?.state === 'Pending') return undefined;
  const problem = versionProblem(fn, 0, VERSION_ACTIVE_TIMEOUT_MS);
  return problem === undefined ? undefined : `${where} points at version ${version}, which ${problem}: it cannot be the version to roll back to; point the alias at an Active version first`;
}

/** How long PreTraffic waits for a version to be Active: the spec's `readiness.timeout`, else {@link VERSION_ACTIVE_TIMEOUT_MS}. */
export function readinessTimeoutMs(spec: { readonly readiness?: { readonly timeout: number } }): number {
  return Math.min(VERSION_ACTIVE_TIMEOUT_MS, (spec.readiness?.timeout ?? LIMITS.maxReadinessTimeout) * 1000);
}

/**
 * Why a published version cannot take traffic, or `undefined` when it is Active. `waitedSeconds`
 * is how long the caller waited for it to leave Pending, `allowedMs` how long it would wait at most.
 * A Pending or Failed version of a SnapStart function is named as such: its snapshot is what Lambda
 * is (or was) preparing.
 */
export function versionProblem(fn: FunctionState | undefined, waitedSeconds: number, allowedMs: number): string | undefined {
  if (fn === undefined) return 'does not exist';
  const limit = allowedMs % 60_000 === 0 ? `${allowedMs / 60_000} min` : `${Math.round(allowedMs / 1000)} s`;
  switch (fn.state ?? 'Active') {
    case 'Active':
      return undefined;
    case 'Pending':
      return fn.snapStart
        ? `is still Pending after ${waitedSeconds} s: Lambda is still taking its SnapStart snapshot (SnapStart is on for published versions); fledge waits at most ${limit} for it (readiness.timeout), and never past the deployment's timeout`
        : `is still Pending after ${waitedSeconds} s (Lambda is still preparing it, e.g. a SnapStart snapshot or an image); fledge waits at most ${limit} for it (readiness.timeout), and never past the deployment's timeout`;
    case 'Failed':
      return `is Failed${fn.snapStart ? ' (its SnapStart snapshot could not be taken)' : ''}: ${fn.stateReason ?? fn.lastUpdateStatusReason ?? 'no reason given'}`;
    default:
      return `is ${fn.state} (${fn.stateReason ?? 'no reason given'}), not Active`;
  }
}

/** What keeps Lambda from splitting an alias between `previous` and `next`, as phrases; empty when nothing does. */
export function splitConflicts(previous: FunctionState, next: FunctionState): string[] {
  const conflicts: string[] = [];
  if ((previous.role ?? '') !== (next.role ?? '')) {
    conflicts.push(`the execution role differs (version ${previous.version}: ${previous.role ?? 'none'}, version ${next.version}: ${next.role ?? 'none'})`);
  }
  if ((previous.deadLetterTargetArn ?? '') !== (next.deadLetterTargetArn ?? '')) {
    conflicts.push(`the dead-letter queue differs (version ${previous.version}: ${previous.deadLetterTargetArn ?? 'none'}, version ${next.version}: ${next.deadLetterTargetArn ?? 'none'})`);
  }
  return conflicts;
}
