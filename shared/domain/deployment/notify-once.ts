import { randomUUID } from 'node:crypto';
import type { DeploymentNotification } from '../../model/notification';
import type { EngineDeps } from './deps';
import { NotificationInFlightError } from '../../model/engine-errors';

/**
 * How long a claim on sending a notification lasts: far longer than one send (SNS with the SDK's
 * retries takes seconds), so a live claimant is never overtaken; short enough that the
 * notification of a claimant that died before it could send (a Lambda timeout, the table lost
 * between its send and its marker) is sent by the next finisher within one sweeper period.
 */
export const NOTIFICATION_LEASE_MS = 5 * 60_000;

/**
 * The shortest a claim lasts in real time. On a compressed clock (local mode, the reliability
 * suite: 5 simulated minutes can last 1.5 real seconds) a live claimant slowed down by a busy
 * machine would otherwise be overtaken mid-send, and the notification sent again.
 */
export const NOTIFICATION_LEASE_REAL_MS = 10_000;

/** How long a claim lasts on `clock`: {@link NOTIFICATION_LEASE_MS}, and never less than {@link NOTIFICATION_LEASE_REAL_MS} of real time. */
export function notificationLeaseMs(clock: Pick<EngineDeps['clock'], 'timeScale'>): number {
  const scale = clock.timeScale ?? 1;
  return Math.max(NOTIFICATION_LEASE_MS, scale > 0 ? NOTIFICATION_LEASE_REAL_MS / scale : NOTIFICATION_LEASE_MS);
}

/**
 * Sends the notification of the ending `key` unless it was sent already — once, however many
 * finishers settle the ending at the same time (a task and its retry, the safety net, the
 * sweeper). A finisher first claims the send (a conditional write: not sent yet, and no
 * unexpired claim of someone else), then sends, then marks it sent, dropping its claim in the
 * same write. Only the claimant sends; the others find it sent, or in flight — which they report
 * as still to do ({@link NotificationInFlightError}), so the ending stays marked as settling and
 * a later pass sees it sent, or takes over the claim once its lease has run out.
 *
 * A send that fails drops the claim, so the next attempt need not wait for the lease. Only a
 * marker write lost after a successful send can repeat the notification, after the lease.
 */
export async function notifyOnce(deps: Pick<EngineDeps, 'store' | 'notifier' | 'clock'>, deploymentId: string, key: string, notification: DeploymentNotification): Promise<void> {
  const { store, notifier, clock } = deps;
  const claimant = randomUUID();
  const now = clock.now();
  if (!(await store.claimNotification(deploymentId, { key, claimant, until: now + notificationLeaseMs(clock) }, now))) {
    const current = await store.getDeployment(deploymentId);
    if (!current || current.notified?.includes(key)) return;
    const held = current.notifying;
    throw new NotificationInFlightError(
      `the notification of ${key} is being sent by another finisher${held ? ` (its claim${held.key === key ? '' : ` on ${held.key}`} lasts until ${new Date(held.until).toISOString()})` : ''}`,
    );
  }
  try {
    await notifier.notify(notification);
  } catch (error) {
    await store.releaseNotificationClaim(deploymentId, claimant).catch(() => undefined);
    throw error;
  }
  await store.markNotified(deploymentId, key, claimant);
}
