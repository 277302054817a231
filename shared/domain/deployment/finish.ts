import type { DeploymentNotification } from '../../ports/notifier';
import type { EngineDeps } from './deps';
import { TransientAwsError } from './errors';
import { event, eventKeys } from './events';
import type { DeploymentEventKind, DeploymentRecord, DeploymentStatus } from './model';
import { OPEN_STATUSES } from './record';

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
}

/**
 * Ends a deployment. Every step before the status is idempotent and the status is set last,
 * conditionally, so a retry after a lost response redoes harmless work and a second ending
 * (the safety net after a Catch) changes nothing. A notification may repeat; it is never lost.
 */
export async function finish(deps: Pick<EngineDeps, 'health' | 'store' | 'notifier' | 'clock'>, record: DeploymentRecord, ending: Ending): Promise<DeploymentRecord | undefined> {
  const { health, store, notifier, clock } = deps;
  const notes: string[] = [];
  if (record.alarmName) {
    try {
      await health.deleteAlarms([record.alarmName]);
    } catch (error) {
      if (error instanceof TransientAwsError) throw error;
      // A leftover alarm is harmless; failing the ending over it is not.
      notes.push(`could not delete alarm ${record.alarmName}: ${(error as Error).message}`);
    }
  }
  if (record.approvalId) {
    await store.decideApproval(record.approvalId, { status: 'EXPIRED', at: clock.now(), comment: `deployment ended ${ending.status}` });
  }
  if (!ending.keepLock) await store.releaseLock(record.functionName, record.alias, record.deploymentId);
  await store.appendEvent(
    event(record.deploymentId, ending.eventKey ?? eventKeys.outcome(), ending.eventKind, clock.now(), ending.message, {
      status: ending.status,
      ...(ending.reason ? { reason: ending.reason } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      ...ending.data,
    }),
  );
  if (ending.notification) await notifier.notify(ending.notification);
  return store.updateDeployment(
    record.deploymentId,
    { status: ending.status, ...(ending.reason ? { reason: ending.reason } : {}), approvalId: null, intent: null },
    { onlyIfStatusIn: ending.from ?? OPEN_STATUSES },
  );
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
  };
}
