import type { EngineDeps } from './deps';
import { ControlRefusedError, DeploymentFinishedError, NotFoundError } from '../../model/engine-errors';
import type { DeploymentRecord } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { event, eventKeys } from './events';
import { LOCK_MARGIN_MS } from './prepare';

/**
 * Asks a running deployment to hold at its current weight, indefinitely (`fledge pause`). Its
 * health checks go on, and a red one still rolls back; traffic does not move; its deadline does
 * not run out while it holds ({@link holdWhilePaused}). Asking again while paused changes
 * nothing. Refused while it waits for an approval (that already holds, until the approval's own
 * timeout) and when it has ended.
 */
export async function requestPause(deps: Pick<EngineDeps, 'store' | 'clock'>, input: { deploymentId: string; by: string }): Promise<DeploymentRecord> {
  const { store, clock } = deps;
  const record = await store.getDeployment(input.deploymentId);
  if (!record) throw new NotFoundError(`no deployment ${input.deploymentId}`);
  if (isTerminal(record.status)) throw new DeploymentFinishedError(`cannot pause deployment ${input.deploymentId}: it already ended ${record.status}`);
  if (record.paused) return record;
  if (record.status !== 'RUNNING') {
    throw new ControlRefusedError(`cannot pause deployment ${input.deploymentId} while it is ${record.status}${record.status === 'AWAITING_APPROVAL' ? ': it already holds until someone approves or rejects it' : ': it has not started yet'}; nothing was changed`);
  }
  const now = clock.now();
  const paused = { by: input.by, at: now, ...(record.deadline !== undefined ? { left: Math.max(0, record.deadline - now) } : {}) };
  const updated = await store.updateDeployment(input.deploymentId, { paused }, { onlyIfStatusIn: ['RUNNING'], unlessAbandoned: true });
  if (!updated) throw new ControlRefusedError(`deployment ${input.deploymentId} moved on meanwhile (it is no longer running); nothing was changed`);
  await store.appendEvent(event(input.deploymentId, eventKeys.paused(now), 'paused', now, `paused by ${input.by} at ${record.currentWeight ?? 0}%: holding this weight until resumed`, { by: input.by, weight: record.currentWeight ?? 0 }));
  return updated;
}

/**
 * Resumes a paused deployment (`fledge resume`): the time that was left before its deadline when
 * it was paused is given back, and its walk goes on at the next health check. Refused when it is
 * not paused.
 */
export async function requestResume(deps: Pick<EngineDeps, 'store' | 'clock'>, input: { deploymentId: string; by: string }): Promise<DeploymentRecord> {
  const { store, clock } = deps;
  const record = await store.getDeployment(input.deploymentId);
  if (!record) throw new NotFoundError(`no deployment ${input.deploymentId}`);
  if (isTerminal(record.status)) throw new DeploymentFinishedError(`cannot resume deployment ${input.deploymentId}: it already ended ${record.status}`);
  const paused = record.paused;
  if (!paused) throw new ControlRefusedError(`deployment ${input.deploymentId} is not paused; nothing was changed`);
  const now = clock.now();
  const deadline = paused.left !== undefined ? Math.max(record.deadline ?? 0, now + paused.left) : record.deadline;
  const updated = await store.updateDeployment(input.deploymentId, { paused: null, ...(deadline !== undefined ? { deadline } : {}) }, { onlyIfStatusIn: ['PENDING', 'RUNNING', 'AWAITING_APPROVAL'] });
  if (!updated) throw new DeploymentFinishedError(`cannot resume deployment ${input.deploymentId}: it ended meanwhile`);
  if (deadline !== undefined) await extendLock(deps, updated, deadline, now);
  const held = Math.round((now - paused.at) / 1000);
  await store.appendEvent(event(input.deploymentId, eventKeys.resumed(paused.at), 'resumed', now, `resumed by ${input.by} after ${held}s paused`, { by: input.by, pausedSeconds: held, ...(deadline !== undefined ? { deadline: new Date(deadline).toISOString() } : {}) }));
  return updated;
}

/**
 * At a health check of a paused deployment: pushes its deadline (and the alias lock with it) so
 * that the time left when it was paused stays left, plus one check interval — a pause never times
 * the deployment out. Returns the record as updated.
 */
export async function holdWhilePaused(deps: Pick<EngineDeps, 'store'>, record: DeploymentRecord, now: number, checkIntervalMs: number): Promise<DeploymentRecord> {
  const paused = record.paused;
  if (!paused || record.deadline === undefined) return record;
  const deadline = Math.max(record.deadline, now + (paused.left ?? 0) + checkIntervalMs);
  if (deadline === record.deadline) return record;
  const updated = (await deps.store.updateDeployment(record.deploymentId, { deadline }, { onlyIfStatusIn: ['RUNNING'] })) ?? record;
  await extendLock(deps, updated, deadline, now);
  return updated;
}

/** Keeps the alias lock past the deadline, as Prepare took it: a held deployment keeps its alias. */
async function extendLock(deps: Pick<EngineDeps, 'store'>, record: DeploymentRecord, deadline: number, now: number): Promise<void> {
  const lock = await deps.store.getLock(record.functionName, record.alias);
  if (lock?.holder !== record.deploymentId || lock.expiresAt >= deadline + LOCK_MARGIN_MS) return;
  await deps.store.acquireLock({ ...lock, expiresAt: deadline + LOCK_MARGIN_MS }, now);
}
