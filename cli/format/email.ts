import { approvalLinksOf, type OutboxEmail } from '../../local/outbox-watch';
import { sanitise } from '../../shared/text/sanitise';
import type { Style } from './style';

/**
 * How `fledge local` prints an e-mail arriving in the outbox: who it is for and its subject, then
 * the approval links, or else the body's first line. Anyone who can publish to the topics writes
 * these texts, so each is shown on one line with control characters escaped.
 */
export function formatEmail(email: OutboxEmail, style: Style): string {
  const links = approvalLinksOf(email);
  const lines = [`${style.cyan('✉')} e-mail to ${sanitise(email.to)}: ${style.bold(sanitise(email.subject))}`];
  if (links) lines.push(`    approve: ${sanitise(links.approve)}`, `    reject:  ${sanitise(links.reject)}`);
  else {
    const first = email.body.split('\n').find((line) => line.trim() !== '');
    if (first) lines.push(`    ${sanitise(first)}`);
  }
  return `${lines.join('\n')}\n`;
}
