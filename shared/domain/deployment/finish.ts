import type { DeploymentNotification } from '../../model/notification';
import type { EngineDeps } from './deps';
import { NotificationInFlightError, TransientAwsError } from '../../model/engine-errors';
import { sanitise } from '../../text/sanitise';
import { event, eventKeys } from './events';
import type { DeploymentEventKind, DeploymentRecord, DeploymentStatus, RecordedEnding } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { notifyOnce } from './notify-once';
import { lockNameOf, OPEN_STATUSES } from './record';
import { appendAndPublish } from './publish-events';
import { endingEvent } from './timeline';

/** How a deployment ends. */
export interface Ending {
  readonly status: DeploymentStatus;
  readonly reason?: string;
  readonly eventKind: DeploymentEventKind;
  readonly message: string;
  readonly data?: Record<string, unknown>;
  readonly notification?: DeploymentNotification;
  /** Keep the lock (the alias may be half-shifted: nothing else may touch it until repaired). */
  readonly keepLock?: boolean;
  /** Statuses the record may be in for this ending to apply; default: the open ones. */
  readonly from?: readonly DeploymentStatus[];
  /** History key of the ending event; default the single `outcome` key. */
  readonly eventKey?: string;
  /** People were told already, by other means (the execution, from its state): recorded as sent. */
  readonly alreadyNotified?: boolean;
  /** The revision of the alias as fledge left it, when the record may not have it (the execution carried it): recorded with the status. */
  readonly aliasRevisionId?: string;
  /** Not over a takeover (`abandonedAt`: the alarm abort or the safety net is rolling it back): the status is left to it. */
  readonly unlessAbandoned?: boolean;
  /** Epoch ms the failure that ends it was detected (a rollback's; see `DeploymentRecord.failureDetectedAt`). */
  readonly failureDetectedAt?: number;
}

/** What finishing did: the status the deployment has now, and the side effects still to do. */
export interface Finished {
  readonly status: DeploymentStatus;
  readonly record?: DeploymentRecord;
  /** Side effects that failed, each retried later (by the task's retry or by the sweeper). */
  readonly pending: readonly string[];
  /** Those of them worth failing the task for, so its retry does them at once: the lock, the history, the notification. */
  readonly urgent?: readonly string[];
}

/**
 * The ports ending a deployment takes. `health` only deletes the alarm of a deployment that made
 * one: the starters, which end deployments refused before they started (no alarm, no CloudWatch
 * permission), go without it.
 */
export type FinishDeps = Pick<EngineDeps, 'store' | 'notifier' | 'clock'> & Partial<Pick<EngineDeps, 'health'>>;

/**
 * Ends a deployment whose alias the caller has already made whole (promoted, restored, or left
 * alone). The decisive fact comes first: the terminal status, written once (conditionally on
 * the status still being `from`) together with the whole {@link RecordedEnding}. Then each side
 * effect on its own ({@link settle}). A second ending — a retry of the same task, the safety net
 * after a Catch, the sweeper — changes no status and only completes what the first one left.
 */
export async function finish(deps: FinishDeps, record: DeploymentRecord, ending: Ending): Promise<Finished> {
  const { store, clock } = deps;
  const recorded: RecordedEnding = {
    eventKey: ending.eventKey ?? eventKeys.outcome(),
    eventKind: ending.eventKind,
    message: ending.message,
    at: clock.now(),
    ...(ending.data ? { data: ending.data } : {}),
    // A group's member is told of in its group's one notification, never on its own.
    ...(ending.notification && record.groupId === undefined ? { notification: ending.notification } : {}),
    ...(ending.keepLock ? { keepLock: true } : {}),
  };
  const written = await store.updateDeployment(
    record.deploymentId,
    {
      status: ending.status,
      ...(ending.reason ? { reason: ending.reason } : {}),
      intent: null,
      ...(ending.aliasRevisionId ? { aliasRevisionId: ending.aliasRevisionId } : {}),
      ending: recorded,
      // The delivery metrics' facts, flat, beside the status: the metrics index projects only them.
      endedAt: recorded.at,
      tookTraffic: ending.status === 'SUCCEEDED' || (record.currentWeight ?? 0) > 0 || record.tookTraffic === true,
      ...(failureDetectedAt(record, ending, recorded.at) ?? {}),
      ...(ending.alreadyNotified && ending.notification ? { notified: [...(record.notified ?? []), recorded.eventKey] } : {}),
    },
    { onlyIfStatusIn: ending.from ?? OPEN_STATUSES, ...(ending.unlessAbandoned ? { unlessAbandoned: true } : {}) },
  );
  // Not written: it ended already (an earlier attempt, or someone else). Complete that ending.
  const current = written ?? (await store.getDeployment(record.deploymentId));
  if (!current) return { status: record.status, pending: [] };
  if (!isTerminal(current.status)) return { status: current.status, record: current, pending: [] };
  return settle(deps, current);
}

/**
 * When the failure of a failed change was detected: the time its finisher says, else one already
 * recorded (a repair finishing a FAILED rollback keeps the first), else the stop request's, else
 * the ending's own. Nothing for an ending that is not a failed change.
 */
function failureDetectedAt(record: DeploymentRecord, ending: Ending, endedAt: number): { failureDetectedAt: number } | undefined {
  if (ending.status !== 'ROLLED_BACK' && ending.status !== 'FAILED') return undefined;
  return { failureDetectedAt: record.failureDetectedAt ?? ending.failureDetectedAt ?? record.stopRequested?.at ?? endedAt };
}

/**
 * The side effects of an ended deployment, each on its own and idempotent, so any of them can be
 * retried without repeating the others: release the lock (only when the alias is whole), delete
 * fledge's alarm, expire a pending approval, append the ending's event (deterministic key),
 * notify once ({@link notifyOnce}: claimed, sent, then marked, so finishers settling the same
 * ending at once send it once, and only a marker write lost after the send can repeat it). A settling mark stays until all of them are done: the sweeper's
 * list of endings to complete; a lock still held by an ended deployment is the other.
 */
export async function settle(deps: FinishDeps, record: DeploymentRecord): Promise<Finished> {
  const { health, store, clock } = deps;
  const ending = record.ending;
  if (!ending) {
    // Ended by an older release, which did everything before its status: only the lock may be left.
    if (record.status !== 'FAILED') await store.releaseLock(lockNameOf(record), record.alias, record.deploymentId);
    return { status: record.status, record, pending: [] };
  }
  const pending: string[] = [];
  const urgent: string[] = [];
  // Sends another finisher is making right now: its to finish (its lease, the settling mark and the
  // sweeper cover its death), so they are not written to the record, where they would outlive the
  // send they describe once that finisher is done (it reads `unsettled` before this is written).
  const inFlight: string[] = [];
  // A leftover alarm or an approval left pending harms no one: the sweeper retries them, but no
  // task fails (and retries for minutes) over them.
  const attempt = async (what: string, work: () => Promise<unknown>, options: { urgent: boolean } = { urgent: true }): Promise<void> => {
    try {
      await work();
    } catch (error) {
      const failed = `${what}: ${(error as Error).message}`;
      pending.push(failed);
      if (error instanceof NotificationInFlightError) inFlight.push(failed);
      if (options.urgent) urgent.push(failed);
    }
  };
  const later = { urgent: false };
  // The alias is whole (or the lock is kept): the next deployment need not wait for the rest.
  // Should this fail, the lock held by an ended deployment brings the sweeper back.
  if (!ending.keepLock) await attempt('release the lock', () => store.releaseLock(lockNameOf(record), record.alias, record.deploymentId));
  // Marked until everything is done: the sweeper's list if this attempt and its retries fall short.
  await attempt('mark the ending as settling', () => store.markSettling(record.deploymentId, ending.at), later);
  const alarmName = record.alarmName;
  if (alarmName) {
    await attempt(`delete alarm ${alarmName}`, async () => {
      // A caller without CloudWatch leaves it, pending, to one that has it (the sweeper).
      if (!health) throw new Error('CloudWatch is not at hand here');
      await health.deleteAlarms([alarmName]);
    }, later);
  }
  const approvalId = record.approvalId;
  if (approvalId) {
    await attempt(`expire approval ${approvalId}`, async () => {
      await store.decideApproval(approvalId, { status: 'EXPIRED', at: clock.now(), comment: `deployment ended ${record.status}` });
      await store.updateDeployment(record.deploymentId, { approvalId: null });
    }, later);
  }
  await attempt('append the ending to the history', async () => {
    const entry = endingEvent(record, ending);
    // The channels (EventBridge, webhooks, GitHub) hear of the ending from the finisher that adds it to
    // the history, once; SNS gets it below, through the ending's own claim.
    if (ending.notification) await appendAndPublish(deps, entry, ending.notification);
    else await store.appendEvent(entry);
  });
  const notification = ending.notification;
  if (notification && !(record.notified ?? []).includes(ending.eventKey)) {
    await attempt('notify', async () => {
      try {
        await notifyOnce(deps, record.deploymentId, ending.eventKey, notification);
      } catch (error) {
        // Still retried until sent (the task's retries, then the sweeper), but visible at once:
        // once in the history, whatever the number of tries.
        if (!(error instanceof NotificationInFlightError)) {
          const message = `could not send ${notification.kind} to sns (e-mail): ${sanitise((error as Error).message).slice(0, 300)}; tried again until sent, the deployment's outcome stands`;
          await store.appendEvent(event(record.deploymentId, `notification-failed-${ending.eventKey}-email`, 'notificationFailed', clock.now(), message, { channel: 'sns (e-mail)', kind: notification.kind })).catch(() => undefined);
        }
        throw error;
      }
    });
  }
  if (pending.length === 0) await attempt('clear the settling mark', () => store.markSettled(record.deploymentId), later);
  const left = pending.filter((item) => !inFlight.includes(item));
  if (left.length > 0 || record.unsettled) {
    // What is left, for people reading the record; the mark (or the held lock) brings the sweeper back.
    await store.updateDeployment(record.deploymentId, { unsettled: left.length > 0 ? left : null }).catch(() => undefined);
  }
  return { status: record.status, record, pending, urgent };
}

/**
 * For tasks whose retry should complete the ending (Rollback, the record endings, the safety
 * net): the lock, the history or the notification left undone make the task fail as transient,
 * and its retry — which finds the status written — does only what is left. The rest (the alarm,
 * an approval) is left to the sweeper.
 */
export function requireSettled(deploymentId: string, finished: Finished): DeploymentStatus {
  const urgent = finished.urgent ?? [];
  if (urgent.length > 0) {
    throw new TransientAwsError(`deployment ${deploymentId} ended ${finished.status}, but these are still to do: ${urgent.join('; ')}`);
  }
  return finished.status;
}

/** The facts every notification about `record` carries. */
export function factsOf(record: DeploymentRecord) {
  return {
    deploymentId: record.deploymentId,
    functionName: record.functionName,
    alias: record.alias,
    ...(record.newVersion ? { newVersion: record.newVersion } : {}),
    ...(record.snapshot?.alias ? { previousVersion: record.snapshot.alias.version } : {}),
    startedBy: record.startedBy,
    ...(record.spec?.source?.github ? { github: record.spec.source.github } : {}),
    ...(record.members ? { members: record.members.map((member) => ({ functionName: member.functionName, alias: member.alias })) } : {}),
    ...(record.target ? { target: `${record.target.id} (account ${record.target.accountId}, ${record.target.region})` } : {}),
  };
}
