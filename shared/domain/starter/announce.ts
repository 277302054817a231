import type { DeploymentStore } from '../../ports/deployment-store';
import type { Clock } from '../../ports/clock';
import type { Notifier } from '../../ports/notifier';
import { event, eventKeys } from '../deployment/events';
import type { DeploymentRecord } from '../../model/deployment';

type Deps = { readonly store: DeploymentStore; readonly notifier: Notifier; readonly clock: Clock };

/**
 * Says that a deployment ended REJECTED without starting: the notification (when asked) first,
 * then the `outcome` history event, which marks it said. A failure in between leaves the event
 * missing, so the next attempt ({@link ensureAnnounced}) repeats the notification rather than
 * losing it.
 */
export async function announceRejection(deps: Deps, record: DeploymentRecord, options: { readonly notify: boolean; readonly message: string }): Promise<void> {
  const reason = record.reason ?? '';
  if (options.notify) await deps.notifier.notify({ kind: 'rejected', deploymentId: record.deploymentId, functionName: record.functionName, alias: record.alias, startedBy: record.startedBy, reason });
  await deps.store.appendEvent(event(record.deploymentId, eventKeys.outcome(), 'rejected', deps.clock.now(), options.message, { status: 'REJECTED', ...(record.problems ? { problems: record.problems } : {}) }));
}

/** {@link announceRejection} unless its `outcome` event shows it was said already: a retry finishes what a failed attempt left. */
export async function ensureAnnounced(deps: Deps, record: DeploymentRecord, options: { readonly notify: boolean; readonly message: string }): Promise<void> {
  const events = await deps.store.listEvents(record.deploymentId);
  if (events.some((e) => e.key === eventKeys.outcome())) return;
  await announceRejection(deps, record, options);
}
