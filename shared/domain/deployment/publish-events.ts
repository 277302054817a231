import type { DeploymentEvent } from '../../model/deployment';
import { ChannelDeliveryError } from '../../model/engine-errors';
import type { DeploymentNotification } from '../../model/notification';
import type { EventChannel, PublishedEvent } from '../../ports/notifier';
import { sanitise } from '../../text/sanitise';
import type { EngineDeps } from './deps';
import { event } from './events';

/** Tries per channel and event: the first and two retries. */
export const CHANNEL_ATTEMPTS = 3;

/** The wait before the n-th retry (clock milliseconds): 1 s, then 2 s. */
export function channelBackoffMs(retry: number): number {
  return 1000 * 2 ** (retry - 1);
}

/** The ports publishing takes. */
export type PublishDeps = Pick<EngineDeps, 'store' | 'clock'> & Partial<Pick<EngineDeps, 'notifier'>>;

/**
 * Appends `entry` to the history and, only if this call added it, publishes `notification` to
 * every channel ({@link publishEvent}). The history's deterministic key is the once-marker: a
 * task retried after the append, or two finishers of one ending, find it there and publish
 * nothing — each event reaches each channel at most once. Returns whether the entry was new.
 */
export async function appendAndPublish(deps: PublishDeps, entry: DeploymentEvent, notification: DeploymentNotification): Promise<boolean> {
  const added = await deps.store.appendEvent(entry);
  if (added) await publishEvent(deps, entry, notification);
  return added;
}

/**
 * Sends one event to each channel whose filter takes its kind, all at once, each with at most
 * {@link CHANNEL_ATTEMPTS} tries {@link channelBackoffMs} apart (a refusal that retrying cannot
 * fix, such as a 4xx, is not retried). Never throws and never fails the deployment: a channel
 * that still fails is recorded in the history as a `notificationFailed` event (which `fledge
 * status` shows), and the deployment goes on.
 */
export async function publishEvent(deps: PublishDeps, entry: Pick<DeploymentEvent, 'deploymentId' | 'key' | 'at'>, notification: DeploymentNotification): Promise<void> {
  let all: readonly EventChannel[];
  try {
    all = (await deps.notifier?.channels?.()) ?? [];
  } catch (error) {
    const message = `could not send ${notification.kind} to any channel: the list of channels cannot be read (${sanitise((error as Error).message).slice(0, 300)}); the deployment goes on`;
    await deps.store.appendEvent(event(entry.deploymentId, `notification-failed-${entry.key}-channels`, 'notificationFailed', deps.clock.now(), message, { kind: notification.kind })).catch(() => undefined);
    return;
  }
  const channels = all.filter((channel) => channel.kinds.has(notification.kind));
  if (channels.length === 0) return;
  const published: PublishedEvent = { id: `${entry.deploymentId}/${entry.key}`, at: entry.at, notification };
  await Promise.all(
    channels.map(async (channel, index) => {
      const failure = await withRetries(deps, () => channel.deliver(published));
      if (failure === undefined) return;
      const message = `could not send ${notification.kind} to ${channel.name}: ${sanitise(failure.message).slice(0, 300)} (${failure.tries} ${failure.tries === 1 ? 'try' : 'tries'}); the deployment goes on`;
      await deps.store
        .appendEvent(event(entry.deploymentId, `notification-failed-${entry.key}-c${index}`, 'notificationFailed', deps.clock.now(), message, { channel: channel.name, kind: notification.kind, eventId: published.id, tries: failure.tries }))
        .catch(() => undefined);
    }),
  );
}

/**
 * Sends one message that no channel list carries (the approval request's e-mail on the approvals
 * topic) with the channels' bounded tries: a failure that outlasts them is recorded as a
 * `notificationFailed` event under `<key>-<what>` and never thrown, so a topic that keeps failing
 * cannot fail the task (an approval step whose task failed would lose its token: the decision
 * could no longer reach the execution). Returns whether it was sent.
 */
export async function sendOrRecord(deps: PublishDeps, entry: Pick<DeploymentEvent, 'deploymentId' | 'key'>, channel: { readonly name: string; readonly kind: DeploymentNotification['kind'] }, send: () => Promise<void>): Promise<boolean> {
  const failure = await withRetries(deps, send);
  if (failure === undefined) return true;
  const message = `could not send ${channel.kind} to ${channel.name}: ${sanitise(failure.message).slice(0, 300)} (${failure.tries} ${failure.tries === 1 ? 'try' : 'tries'}); the deployment goes on`;
  await deps.store
    .appendEvent(event(entry.deploymentId, `notification-failed-${entry.key}-${channel.name.replace(/[^A-Za-z0-9]+/g, '-')}`, 'notificationFailed', deps.clock.now(), message, { channel: channel.name, kind: channel.kind, tries: failure.tries }))
    .catch(() => undefined);
  return false;
}

/** Up to {@link CHANNEL_ATTEMPTS} tries of `send`; what went wrong at the last, or nothing when one got through. */
async function withRetries(deps: Pick<PublishDeps, 'clock'>, send: () => Promise<void>): Promise<{ message: string; tries: number } | undefined> {
  for (let tries = 1; ; tries += 1) {
    try {
      await send();
      return undefined;
    } catch (error) {
      const retryable = !(error instanceof ChannelDeliveryError) || error.retryable;
      if (!retryable || tries >= CHANNEL_ATTEMPTS) return { message: error instanceof Error ? error.message : String(error), tries };
      await deps.clock.sleep(channelBackoffMs(tries));
    }
  }
}
