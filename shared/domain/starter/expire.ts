import type { Clock } from '../../ports/clock';
import type { DeploymentStore } from '../../ports/deployment-store';
import type { Notifier } from '../../ports/notifier';
import type { Orchestrator } from '../../ports/orchestrator';
import type { DeploymentRecord } from '../../model/deployment';
import { rejectPending } from './reject';

/**
 * How long a record a starter wrote may stay `PENDING` without an execution. It covers S3's
 * asynchronous retries of the trigger (about 3 minutes) and a person retrying an API request
 * with the same Idempotency-Key; past it the repair loop REJECTs the record
 * ({@link expireStalledStart}), and a late retry finds it REJECTED rather than starting it.
 */
export const START_GRACE_MS = 15 * 60 * 1000;

/** When `record` must have its execution: its `startDeadline`, or for older records `createdAt` + {@link START_GRACE_MS}. */
export function startDeadlineOf(record: Pick<DeploymentRecord, 'startDeadline' | 'createdAt'>): number {
  return record.startDeadline ?? record.createdAt + START_GRACE_MS;
}

/** What {@link expireStalledStart} found. */
export type StalledStart =
  /** Not `PENDING`, or its start deadline is still ahead: left alone. */
  | { readonly kind: 'open'; readonly record: DeploymentRecord }
  /** The execution exists (the answer to its start was lost): the engine owns it; its ARN is now on the record. */
  | { readonly kind: 'started'; readonly record: DeploymentRecord; readonly executionArn: string }
  /** No execution: the record is REJECTED with the reason, and that was announced (or is left to the next sweep: its settling mark). */
  | { readonly kind: 'expired'; readonly record: DeploymentRecord };

/**
 * For the repair loop: settles a deployment whose start stalled — a `PENDING` record past its
 * start deadline ({@link startDeadlineOf}), left by a start AWS kept failing (S3, DynamoDB or
 * Step Functions down longer than the retries) or a placeholder of an S3 drop that was never
 * read. Step Functions is asked whether the execution exists (DescribeExecution): if it does,
 * the record is left to the engine; if not, it becomes REJECTED with the reason — written only
 * on a record still `PENDING`, together with its ending — then one `rejected` event and one
 * notification, sent once under the record's `notified` marker (`settle`, as every ending). Safe
 * to call again and concurrently: only the call whose write ends the record announces it; a side
 * effect that fails is left to the sweeper, which lists the ending's settling mark.
 */
export async function expireStalledStart(
  deps: { readonly store: DeploymentStore; readonly orchestrator: Pick<Orchestrator, 'findExecution'>; readonly notifier: Notifier; readonly clock: Clock },
  record: DeploymentRecord,
): Promise<StalledStart> {
  if (record.status !== 'PENDING' || deps.clock.now() < startDeadlineOf(record)) return { kind: 'open', record };
  const execution = await deps.orchestrator.findExecution(record.deploymentId);
  if (execution) {
    const updated = (await deps.store.updateDeployment(record.deploymentId, { executionArn: execution.executionArn, startFailure: null })) ?? record;
    return { kind: 'started', record: updated, executionArn: execution.executionArn };
  }
  const rejected = await rejectPending(deps, record, { reason: stalledReason(record), how: 'not started' });
  if (rejected) return { kind: 'expired', record: rejected.record };
  const current = (await deps.store.getDeployment(record.deploymentId)) ?? record;
  return current.status === 'REJECTED' && !current.executionArn ? { kind: 'expired', record: current } : { kind: 'open', record: current };
}

function stalledReason(record: DeploymentRecord): string {
  const minutes = Math.round((startDeadlineOf(record) - record.createdAt) / 60_000);
  const what = record.placeholder ? `the dropped spec ${record.startedBy} could not be read and recorded` : 'its execution did not start';
  const last = record.startFailure ? ` (last failure: ${record.startFailure})` : '';
  return `${what} within ${minutes} minutes${last}; nothing was changed: start the deployment again`;
}
