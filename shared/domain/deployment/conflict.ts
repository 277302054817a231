import { supersede } from './abort';
import type { EngineDeps } from './deps';
import { DeploymentRefusedError, LockConflictError, QueuedError } from '../../model/engine-errors';
import { event } from './events';
import type { DeploymentRecord, EngineState } from '../../model/deployment';
import { loadRecord } from './record';

/** How often a queued deployment's execution tries its locks again: the `Queued` Wait state's `Seconds`. */
export const QUEUE_POLL_SECONDS = 30;

type Deps = Pick<EngineDeps, 'lambda' | 'store' | 'clock'> & Partial<Pick<EngineDeps, 'health' | 'notifier'>>;

/**
 * What Prepare does when another deployment holds an alias it needs (`conflict`), by the spec's
 * `onConflict` (docs/spec.md#onconflict):
 *
 * - absent (`reject`): refused, as always — `conflict` is thrown, and the deployment ends REJECTED;
 * - `enqueue`: the record goes QUEUED (behind the holder), and the task throws `fledge.Queued`,
 *   which the state machine answers with its `Queued` Wait, then Prepare again — so it starts by
 *   itself once the holder has ended, whichever way (its own ending, the safety net, the sweeper);
 * - `supersede`: as `enqueue`, after rolling the holder back at once (as the alarm abort does).
 *
 * Nothing of the queued deployment has changed: it holds no lock (a group releases those it took).
 * A stop asked for while queued cancels it (REJECTED, "cancelled"); so does waiting longer than the
 * spec's timeout. Only the oldest deployment queued for an alias takes it when it frees up
 * ({@link waitingBehind}): first queued, first started.
 */
export async function whenLocked(deps: Deps, state: EngineState, conflict: LockConflictError): Promise<never> {
  const mode = state.spec.onConflict;
  if (!mode) throw conflict;
  const { store, clock } = deps;
  const now = clock.now();
  const record = await loadRecord(store, state.deploymentId);
  if (record.stopRequested) {
    throw new DeploymentRefusedError(`cancelled by ${record.stopRequested.by} while queued behind ${conflict.holder}${record.stopRequested.reason ? ` (${record.stopRequested.reason})` : ''}; nothing was changed`);
  }
  if (now > record.createdAt + state.spec.timeout * 1000) {
    throw new LockConflictError(`${conflict.message}; it waited behind it (onConflict: ${mode}) for longer than its timeout of ${state.spec.timeout} s`, conflict.holder);
  }
  const queued = await store.updateDeployment(state.deploymentId, { status: 'QUEUED', queuedBehind: conflict.holder }, { onlyIfStatusIn: ['PENDING', 'QUEUED'] });
  if (queued && record.queuedBehind !== conflict.holder) {
    await store.appendEvent(event(state.deploymentId, `queued-${conflict.holder}`, 'queued', now, `queued behind ${conflict.holder} (onConflict: ${mode}): ${conflict.message}`, { behind: conflict.holder, onConflict: mode }));
  }
  if (mode === 'supersede' && deps.health && deps.notifier) {
    const outcome = await supersede({ ...deps, health: deps.health, notifier: deps.notifier }, conflict.holder, state.deploymentId);
    if (outcome && outcome.outcome !== 'finished') {
      await store.appendEvent(event(state.deploymentId, `superseded-${conflict.holder}`, 'superseded', clock.now(), `superseded ${conflict.holder}: ${outcome.outcome}`, { holder: conflict.holder, outcome: outcome.outcome }));
    }
  }
  throw new QueuedError(`deployment ${state.deploymentId} is queued behind ${conflict.holder} (onConflict: ${mode})`);
}

/**
 * For a deployment that was queued: an older deployment still QUEUED for one of its aliases, which
 * goes first. Undefined when none (or the deployment never queued: a refusing spec never waits).
 */
export async function waitingBehind(deps: Pick<EngineDeps, 'store'>, record: DeploymentRecord, aliases: readonly { functionName: string; alias: string }[]): Promise<string | undefined> {
  if (record.status !== 'QUEUED') return undefined;
  for (const { functionName, alias } of aliases) {
    const queued = await deps.store.listDeployments({ functionName, alias, status: 'QUEUED', limit: 100 });
    const older = queued.items.find((other) => other.deploymentId !== record.deploymentId && other.groupId === undefined && (other.createdAt < record.createdAt || (other.createdAt === record.createdAt && other.deploymentId < record.deploymentId)));
    if (older) return older.deploymentId;
  }
  return undefined;
}
