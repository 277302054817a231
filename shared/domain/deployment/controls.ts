import type { EngineDeps } from './deps';
import { ApprovalClosedError, DeploymentFinishedError, NotFoundError, StopRequestedError } from '../../model/engine-errors';
import { FledgeError } from '../../model/errors';
import { event, eventKeys } from './events';
import type { DeploymentRecord } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { OPEN_STATUSES } from './record';

/**
 * Asks a running deployment to stop: the next health check rolls back, and a pending approval
 * is failed at once with `fledge.StopRequested` (so a stop does not wait for the approver).
 */
export async function requestStop(deps: Pick<EngineDeps, 'store' | 'clock'> & { readonly orchestrator: Pick<EngineDeps['orchestrator'], 'sendTaskFailure'> }, input: { deploymentId: string; by: string; reason?: string }): Promise<DeploymentRecord> {
  const { store, orchestrator, clock } = deps;
  const now = clock.now();
  const updated = await store.updateDeployment(input.deploymentId, { stopRequested: { by: input.by, at: now, ...(input.reason ? { reason: input.reason } : {}) } }, { onlyIfStatusIn: OPEN_STATUSES });
  if (!updated) throw await finishedOrMissing(deps, input.deploymentId, 'stop');
  await store.appendEvent(event(input.deploymentId, eventKeys.stopRequested(), 'stopRequested', now, `stop requested by ${input.by}${input.reason ? `: ${input.reason}` : ''}`, { by: input.by }));
  if (updated.status === 'AWAITING_APPROVAL' && updated.approvalId) {
    const claimed = await store.decideApproval(updated.approvalId, { status: 'REJECTED', by: input.by, at: now, comment: 'deployment stopped' });
    if (claimed) {
      try {
        await orchestrator.sendTaskFailure(claimed.taskToken, FledgeError.nameOf(StopRequestedError), `stopped by ${input.by}${input.reason ? `: ${input.reason}` : ''}`);
      } catch (error) {
        // The task already ended (timed out, decided): the engine is rolling back or done anyway.
        if (!(error instanceof ApprovalClosedError)) throw error;
      }
    }
  }
  return updated;
}

/**
 * Asks a running deployment to promote now: at its next green health check it skips the rest
 * of the bake and the remaining steps. It never skips a red check, nor a pending approval.
 */
export async function requestPromote(deps: Pick<EngineDeps, 'store' | 'clock'>, input: { deploymentId: string; by: string }): Promise<DeploymentRecord> {
  const { store, clock } = deps;
  const now = clock.now();
  const updated = await store.updateDeployment(input.deploymentId, { promoteRequested: { by: input.by, at: now } }, { onlyIfStatusIn: OPEN_STATUSES });
  if (!updated) throw await finishedOrMissing(deps, input.deploymentId, 'promote');
  await store.appendEvent(event(input.deploymentId, eventKeys.promoteRequested(), 'promoteRequested', now, `promote requested by ${input.by}`, { by: input.by }));
  return updated;
}

async function finishedOrMissing(deps: Pick<EngineDeps, 'store'>, deploymentId: string, what: string): Promise<Error> {
  const record = await deps.store.getDeployment(deploymentId);
  if (!record) return new NotFoundError(`no deployment ${deploymentId}`);
  if (isTerminal(record.status)) return new DeploymentFinishedError(`cannot ${what} deployment ${deploymentId}: it already ended ${record.status}`);
  return new DeploymentFinishedError(`cannot ${what} deployment ${deploymentId} in status ${record.status}`);
}
