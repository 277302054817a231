import type { NotificationDelivery } from '../../local/notification-outbox';
import { sanitise } from '../../shared/text/sanitise';
import type { Style } from './style';

/**
 * How `fledge local` prints one try of a notification channel: a head line (time, channel, kind,
 * deployment, target, and the failure when it failed) and the notification's text. Every text
 * from users (reasons, names, comments) is shown on one line with control characters escaped.
 */
export function formatDelivery(delivery: NotificationDelivery, style: Style): string {
  const time = delivery.time.slice(11, 19);
  const failed = delivery.outcome === 'failed';
  const mark = failed ? style.red('✗') : style.cyan('⇢');
  const outcome = failed ? style.red(` · try ${delivery.try} failed: ${sanitise(delivery.error ?? 'unknown')}`) : delivery.try > 1 ? ` · try ${delivery.try}` : '';
  const head = `${mark} ${time} ${style.bold(sanitise(delivery.channel))} · ${delivery.kind} · ${sanitise(`${delivery.functionName}:${delivery.alias}`)} (${sanitise(delivery.deploymentId)}) → ${sanitise(delivery.target)}${outcome}`;
  return `${head}\n    ${sanitise(delivery.text)}\n`;
}

/**
 * Whether `fledge local` prints a delivery: all but the SNS topic's successful ones, whose
 * e-mails it prints as they land in the outbox (cli/format/email.ts).
 */
export function printsDelivery(delivery: NotificationDelivery): boolean {
  return delivery.channel !== 'sns' || delivery.outcome === 'failed';
}
