import type { EngineDeps } from './deps';
import { ApprovalClosedError, ApprovalRejectedError, InvalidTaskInputError, NotFoundError, StopRequestedError, TransientAwsError } from '../../model/engine-errors';
import { FledgeError } from '../../model/errors';
import { event, eventKeys } from './events';
import { factsOf } from './finish';
import type { ApprovalRecord, DeploymentRecord, EngineState } from '../../model/deployment';
import { loadRecord, OPEN_STATUSES } from './record';
import { appendAndPublish, publishEvent, sendOrRecord, type PublishDeps } from './publish-events';
import { sanitise } from '../../text/sanitise';

/**
 * The one spelling of an approval id, as {@link approvalIdFor} writes it: a deployment id (an
 * execution name) and the step index in canonical decimal. Links and the API accept nothing else.
 */
export const APPROVAL_ID = /^[A-Za-z0-9_-]{1,80}\.a(?:0|[1-9][0-9]{0,5})$/;

/** The approval id for an approval step of a deployment: stable, so a retried request reuses it. */
export function approvalIdFor(deploymentId: string, stepIndex: number): string {
  return `${deploymentId}.a${stepIndex}`;
}

/**
 * The RequestApproval task (`lambda:invoke.waitForTaskToken`): stores the task token under an
 * approval id — the token never leaves the table, links and messages carry the id — marks the
 * deployment AWAITING_APPROVAL and sends the request. The execution then waits until a decision
 * calls {@link decideApproval}, or the task's timeout (min of the step's and the deployment's
 * time left) rejects it.
 */
export async function requestApproval(deps: Pick<EngineDeps, 'store' | 'notifier' | 'clock'>, input: { state: EngineState; taskToken: string }): Promise<{ approvalId: string }> {
  const { store, notifier, clock } = deps;
  const { state, taskToken } = input;
  const approval = state.approval;
  if (!approval) throw new InvalidTaskInputError(`deployment ${state.deploymentId}: RequestApproval without an approval in the state`);
  if (!taskToken) throw new InvalidTaskInputError(`deployment ${state.deploymentId}: RequestApproval without a task token`);
  const now = clock.now();
  const approvalId = approvalIdFor(state.deploymentId, approval.stepIndex);
  const expiresAt = now + approval.timeoutSeconds * 1000;
  await store.putApproval({ approvalId, deploymentId: state.deploymentId, taskToken, status: 'PENDING', requestedAt: now, expiresAt, ...(approval.message ? { message: approval.message } : {}) });
  const record = await store.updateDeployment(state.deploymentId, { status: 'AWAITING_APPROVAL', approvalId }, { onlyIfStatusIn: OPEN_STATUSES });
  const current = record ?? (await loadRecord(store, state.deploymentId));
  // A stop requested just before the approval step: the stop may have seen RUNNING and sent nothing.
  if (current.stopRequested) throw new StopRequestedError(`stopped by ${current.stopRequested.by} before the approval was requested`);
  const request = {
    kind: 'approvalRequested',
    ...factsOf(current),
    approvalId,
    expiresAt,
    ...(approval.message ? { message: approval.message } : {}),
    currentWeight: state.weight ?? 0,
    health: state.checksPassed ? `${state.checksPassed} health check${state.checksPassed === 1 ? '' : 's'}, all green` : 'no health checks yet',
  } as const;
  await appendAndPublish(
    deps,
    event(state.deploymentId, eventKeys.approvalRequested(approvalId), 'approvalRequested', now, `approval requested at ${state.weight ?? 0}% (expires ${new Date(expiresAt).toISOString()})`, {
      approvalId,
      expiresAt: new Date(expiresAt).toISOString(),
      weight: state.weight ?? 0,
    }),
    request,
  );
  // Bounded and never fatal, like every channel: a failed task would take the token with it, and
  // no decision could reach the execution. The request is on the other channels, `fledge list`
  // shows it, and the history says the e-mail did not go.
  await sendOrRecord(deps, { deploymentId: state.deploymentId, key: eventKeys.approvalRequested(approvalId) }, { name: 'sns (approval e-mail)', kind: 'approvalRequested' }, () => notifier.notify(request));
  return { approvalId };
}

/** A decision on an approval. */
export interface ApprovalDecision {
  readonly approvalId: string;
  readonly approve: boolean;
  /** Who decided (e-mail, IAM principal); recorded in the history. */
  readonly by: string;
  readonly comment?: string;
}

/**
 * Delivers a decision to the waiting execution (SendTaskSuccess / SendTaskFailure with the
 * stored token) and records who decided. Single-use: an approval already decided or expired is
 * refused with {@link ApprovalClosedError} and nothing changes. Issue 5's API and links call it.
 * It publishes nothing: the engine task that receives the decision does ({@link publishApprovalDecision}),
 * so the API and the public approval pages need no notification channels, and the decision is
 * published once whichever door it came through.
 */
export async function decideApproval(deps: Pick<EngineDeps, 'store' | 'orchestrator' | 'clock'>, decision: ApprovalDecision): Promise<ApprovalRecord> {
  const { store, orchestrator, clock } = deps;
  const approval = await store.getApproval(decision.approvalId);
  if (!approval) throw new NotFoundError(`no approval ${decision.approvalId}`);
  const now = clock.now();
  if (approval.status !== 'PENDING') throw new ApprovalClosedError(`approval ${decision.approvalId} was already ${approval.status.toLowerCase()}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}`);
  if (now > approval.expiresAt) {
    await store.decideApproval(decision.approvalId, { status: 'EXPIRED', at: now });
    throw new ApprovalClosedError(`approval ${decision.approvalId} expired at ${new Date(approval.expiresAt).toISOString()}`);
  }
  const status = decision.approve ? 'APPROVED' : 'REJECTED';
  const claimed = await store.decideApproval(decision.approvalId, { status, by: decision.by, at: now, ...(decision.comment ? { comment: decision.comment } : {}) });
  if (!claimed) throw new ApprovalClosedError(`approval ${decision.approvalId} was decided by someone else just now`);
  try {
    if (decision.approve) await orchestrator.sendTaskSuccess(claimed.taskToken, { approved: true, approvalId: decision.approvalId, by: decision.by });
    else await orchestrator.sendTaskFailure(claimed.taskToken, FledgeError.nameOf(ApprovalRejectedError), `rejected by ${decision.by}${decision.comment ? `: ${decision.comment}` : ''}`);
  } catch (error) {
    // The decision did not reach the execution: a transient failure may be retried by the caller.
    if (error instanceof TransientAwsError) await store.reopenApproval(decision.approvalId);
    else await store.decideApproval(decision.approvalId, { status: 'EXPIRED', at: now });
    throw error;
  }
  await store.appendEvent(
    event(approval.deploymentId, eventKeys.approvalDecided(decision.approvalId), decision.approve ? 'approvalGiven' : 'approvalRejected', now, `${decision.approve ? 'approved' : 'rejected'} by ${decision.by}${decision.comment ? `: ${decision.comment}` : ''}`, {
      approvalId: decision.approvalId,
      by: decision.by,
    }),
  );
  return { ...claimed, status, decidedBy: decision.by, decidedAt: now };
}

/**
 * Publishes the decision on the deployment's approval step (approvalGiven / approvalRejected) to
 * every channel, from the task the decision leads to (NextStep after an approval, Rollback after
 * a rejection): the decision came through the API or an approval page, which publish nothing.
 * Once per decision: the record's `notified` list takes the history key of the decision
 * atomically before anything is sent, so a retried task, or a Rollback after a NextStep, sends
 * nothing again. An approval that expired or was never decided publishes nothing (the ending
 * says why). Never throws: a failure here is recorded like any channel's and the task goes on.
 */
export async function publishApprovalDecision(deps: PublishDeps, record: DeploymentRecord, state: Pick<EngineState, 'approval'>): Promise<void> {
  if (!state.approval || !deps.notifier?.channels) return;
  const approvalId = approvalIdFor(record.deploymentId, state.approval.stepIndex);
  const key = eventKeys.approvalDecided(approvalId);
  if ((record.notified ?? []).includes(key)) return;
  try {
    const approval = await deps.store.getApproval(approvalId);
    if (!approval || (approval.status !== 'APPROVED' && approval.status !== 'REJECTED') || approval.decidedBy === undefined) return;
    if (!(await deps.store.markNotified(record.deploymentId, key))) return;
    const kind = approval.status === 'APPROVED' ? 'approvalGiven' : 'approvalRejected';
    await publishEvent(deps, { deploymentId: record.deploymentId, key, at: approval.decidedAt ?? deps.clock.now() }, { kind, ...factsOf(record), approvalId, by: approval.decidedBy, ...(approval.comment ? { comment: approval.comment } : {}) });
  } catch (error) {
    const message = `could not send the decision on ${approvalId} to the channels: ${sanitise((error as Error).message).slice(0, 300)}; the deployment goes on`;
    await deps.store.appendEvent(event(record.deploymentId, `notification-failed-${key}`, 'notificationFailed', deps.clock.now(), message, { approvalId })).catch(() => undefined);
  }
}
