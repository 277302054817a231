import { settle, type FinishDeps, type Finished } from '../deployment/finish';
import { eventKeys } from '../deployment/events';
import type { DeploymentRecord, RecordedEnding } from '../../model/deployment';
import type { SpecProblem } from '../../model/spec';

/**
 * Characters of the reason the `rejected` notification and history event quote. The reason of a
 * refused spec lists every problem (up to 50, each up to 500 characters): the record keeps it
 * whole once; the ending, stored on the same record (a DynamoDB item holds 400 KB), and the
 * notification (SNS carries 256 KB) quote its start and say where to read the rest.
 */
const MAX_NOTIFIED_REASON_CHARS = 2000;

/** Why a deployment was refused before it started, and what its history event says. */
export interface Rejection {
  readonly reason: string;
  /** How it was refused, the history event's message before the reason: `refused before anything changed`. */
  readonly how: string;
  /** The refused spec's problems, located. */
  readonly problems?: readonly SpecProblem[];
}

/**
 * The ending of a deployment refused before it started, whichever door it came through and
 * whatever refused it (its spec, Step Functions, its start deadline): the `outcome` event
 * `rejected` and one `rejected` notification. Recorded with the REJECTED status, it is completed
 * by {@link settle} like every other ending — the notification once, under the record's `notified`
 * marker, so a retried drop or a replayed request does not send it again — and, should a side
 * effect fail, by the sweeper (the ending's settling mark).
 */
export function rejectionEnding(record: Pick<DeploymentRecord, 'deploymentId' | 'functionName' | 'alias' | 'startedBy'>, rejection: Rejection, at: number): RecordedEnding {
  const reason = rejection.reason.length > MAX_NOTIFIED_REASON_CHARS ? `${rejection.reason.slice(0, MAX_NOTIFIED_REASON_CHARS)}… (the rest: GET /deployments/${record.deploymentId})` : rejection.reason;
  return {
    eventKey: eventKeys.outcome(),
    eventKind: 'rejected',
    message: `${rejection.how}: ${reason}`,
    at,
    ...(rejection.problems ? { data: { problems: rejection.problems } } : {}),
    notification: { kind: 'rejected', deploymentId: record.deploymentId, functionName: record.functionName, alias: record.alias, startedBy: record.startedBy, reason },
  };
}

/**
 * Ends a `PENDING` record that can never start REJECTED: the status, the reason and the ending in
 * one conditional write (the decisive fact first), then the ending's side effects
 * ({@link settle}). Returns `undefined`, changing nothing, when the record is no longer `PENDING`.
 */
export async function rejectPending(deps: FinishDeps, record: DeploymentRecord, rejection: Rejection): Promise<{ readonly record: DeploymentRecord; readonly finished: Finished } | undefined> {
  const ending = rejectionEnding(record, rejection, deps.clock.now());
  const patch = { status: 'REJECTED', reason: rejection.reason, startFailure: null, ending, ...(rejection.problems ? { problems: rejection.problems } : {}) } as const;
  const updated = await deps.store.updateDeployment(record.deploymentId, patch, { onlyIfStatusIn: ['PENDING'] });
  if (!updated) return undefined;
  return { record: updated, finished: await settle(deps, updated) };
}

/**
 * For a retry that finds a deployment REJECTED: completes its ending when something of it is
 * still to do (its notification not yet marked sent, or side effects left unsettled); otherwise
 * does nothing, so replays cost no writes. Records without an ending (ended by an older release)
 * are left as they are.
 */
export async function completeRejection(deps: FinishDeps, record: DeploymentRecord): Promise<Finished | undefined> {
  const ending = record.ending;
  if (!ending) return undefined;
  const unnotified = ending.notification !== undefined && !(record.notified ?? []).includes(ending.eventKey);
  if (!unnotified && record.unsettled === undefined) return undefined;
  return settle(deps, record);
}
