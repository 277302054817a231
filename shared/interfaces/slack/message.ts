import { NOTIFICATION_KINDS, type DeploymentNotification } from '../../model/notification';
import { isOwnLink } from '../../domain/approval/own-links';
import { describePromotion } from '../../model/deployment';
import { sanitise, sanitiseDeep } from '../../text/sanitise';
import type { Mrkdwn, SlackBlock, SlackMessage } from '../../ports/slack';

/** A notification as published by the SNS notifier: the facts plus, for approvals, the signed links. */
export type PublishedNotification = DeploymentNotification & { readonly links?: { readonly approve: string; readonly reject: string } };

// Block Kit limits (api.slack.com/reference/block-kit): header 150, field 2000, section text 3000, button URL 3000.
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const TEXT_MAX = 3000;
const URL_MAX = 3000;

/**
 * Text for mrkdwn: control, bidi and zero-width characters escaped visibly ({@link sanitise};
 * line breaks are kept for the lines we write — values were made one line before), then the
 * three characters Slack's mrkdwn treats as control characters, so `<!channel>` or
 * `<https://evil|Approve>` in user text shows as written instead of notifying or linking.
 */
export function escapeMrkdwn(text: string): string {
  return sanitise(text, { keepNewlines: true }).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text we write with `*bold*` around a label: verbatim, so user text in it links and mentions nothing. */
function mrkdwn(text: string, max: number): Mrkdwn {
  return { type: 'mrkdwn', text: clip(text, max), verbatim: true };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function field(label: string, value: string): Mrkdwn {
  return mrkdwn(`*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX);
}

function section(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(escapeMrkdwn(text), TEXT_MAX) };
}

/**
 * The approval links of a notification, if both are under fledge's own API (`apiUrl`) and fit a
 * button. The notifier reads them from an SNS message attribute, which anyone allowed to publish
 * to the topic can write: a link elsewhere is refused, not shown as an "Approve" button.
 */
export function trustedLinks(n: PublishedNotification, apiUrl: string): { readonly approve: string; readonly reject: string } | undefined {
  const links = n.kind === 'approvalRequested' ? n.links : undefined;
  if (!links || typeof links.approve !== 'string' || typeof links.reject !== 'string') return undefined;
  if (links.approve.length > URL_MAX || links.reject.length > URL_MAX) return undefined;
  return isOwnLink(links.approve, apiUrl) && isOwnLink(links.reject, apiUrl) ? { approve: links.approve, reject: links.reject } : undefined;
}

/**
 * The Block Kit message for a notification: a header, the facts as fields, what happened, the
 * Approve/Reject link buttons for an approval request, and a context line. Every value from a
 * deployment (names, messages, reasons) is user input: it is shown on one line with control
 * characters escaped, markup escaped, and in verbatim text (no automatic links or mentions).
 * Buttons link only under fledge's own API, `apiUrl` ({@link trustedLinks}); otherwise the
 * message names the CLI commands instead.
 */
export function slackMessage(published: PublishedNotification, apiUrl: string): SlackMessage {
  const links = trustedLinks(published, apiUrl);
  const n = sanitiseDeep(published);
  const target = `${n.functionName}:${n.alias}${n.target ? ` in ${n.target}` : ''}`;
  const versions = `${n.previousVersion ? `v${n.previousVersion}` : 'nothing'} → ${n.newVersion ? `v${n.newVersion}` : 'new version'}`;
  const fields = [field('Function', target), field('Versions', versions), field('Started by', n.startedBy), field('Deployment', n.deploymentId)];
  // A group names every member (its versions and, once ended, how it ended) in one field.
  if (n.members?.length) {
    fields.push(field('Group', n.members.map((member) => `${member.functionName}:${member.alias} ${member.previousVersion ? `v${member.previousVersion}` : 'nothing'} → ${member.newVersion ? `v${member.newVersion}` : 'new version'}${member.status ? ` ${member.status}` : ''}`).join('; ')));
  }
  let title: string;
  const body: SlackBlock[] = [];
  let context: string;
  switch (n.kind) {
    case 'approvalRequested': {
      title = `Approve ${target}?`;
      fields.push(field('Traffic now', `${n.currentWeight}% on the new version`), field('Health so far', n.health), field('Decide before', new Date(n.expiresAt).toISOString()));
      // Trimmed first: YAML block scalars end with a line break that would show as `\n`.
      const message = published.kind === 'approvalRequested' ? published.message?.trim() : undefined;
      if (message) body.push(section(sanitise(message)));
      if (links) {
        body.push({
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Approve…' }, url: links.approve, style: 'primary', action_id: 'fledge-approve' },
            { type: 'button', text: { type: 'plain_text', text: 'Reject…' }, url: links.reject, style: 'danger', action_id: 'fledge-reject' },
          ],
        });
        context = 'Each button opens a confirmation page; nothing is decided until you confirm there. No decision in time means rejection.';
      } else {
        body.push(section(`Decide with \`fledge approve ${n.deploymentId}\` or \`fledge reject ${n.deploymentId}\`.`));
        context = 'No decision in time means rejection.';
      }
      break;
    }
    case 'started':
      title = `Deploying ${target}`;
      fields.push(field('Strategy', n.strategy), field('Source', n.source));
      context = 'fledge started a deployment.';
      break;
    case 'weight':
      title = `${target}: ${n.percent}% on v${n.version}`;
      body.push(section(`${n.percent}% of traffic now goes to version ${n.version}.`));
      context = 'fledge moved traffic.';
      break;
    case 'approvalGiven':
    case 'approvalRejected':
      title = `${target} ${n.kind === 'approvalGiven' ? 'approved' : 'rejected'} by ${n.by}`;
      if (n.comment) body.push(section(n.comment));
      context = n.kind === 'approvalGiven' ? 'The deployment goes on.' : 'The deployment rolls back.';
      break;
    case 'promoted':
      title = `Promoted ${target}`;
      body.push(section(`Version ${n.evidence.version} now serves all traffic: ${describePromotion(n.evidence)}.`));
      context = 'fledge promoted the new version.';
      break;
    case 'rolledBack':
      title = `Rolled back ${target}`;
      body.push(section(`The deployment was rolled back: ${n.reason}\nThe alias is back on the version it served before.`));
      context = 'fledge rolled back automatically.';
      break;
    case 'drifted':
      title = `${target} changed by someone else`;
      body.push(section(`The deployment stopped: ${n.reason}\nfledge left the alias alone. It is now: ${n.aliasDescription}.`));
      context = 'Check who changed the alias before deploying again.';
      break;
    case 'failed':
      title = `Deployment of ${target} FAILED`;
      body.push(section(`The deployment failed and could not be rolled back: ${n.reason}\nThe alias is now: ${n.aliasDescription}.`));
      context = 'Check the alias and fix it by hand.';
      break;
    case 'rejected':
      title = `Deployment of ${target} refused`;
      body.push(section(`Refused before anything changed: ${n.reason}`));
      context = 'Nothing was changed.';
      break;
  }
  return {
    text: clip(`fledge: ${escapeMrkdwn(title)}`, TEXT_MAX),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, HEADER_MAX), emoji: false } },
      { type: 'section', fields },
      ...body,
      { type: 'context', elements: [mrkdwn(`fledge · ${escapeMrkdwn(context)}`, TEXT_MAX)] },
    ],
  };
}

/** Kinds of notifications the Slack notifier understands. */
const KINDS: ReadonlySet<string> = new Set(Object.keys(NOTIFICATION_KINDS));

/**
 * Reads a notification back from the SNS message attribute `facts` (JSON written by the SNS
 * notifier). Returns undefined for anything that is not one of fledge's notifications.
 */
export function parsePublishedNotification(facts: string | undefined): PublishedNotification | undefined {
  if (!facts) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(facts);
  } catch {
    return undefined;
  }
  const n = value as Partial<PublishedNotification> | null;
  if (!n || typeof n !== 'object' || typeof n.kind !== 'string' || !KINDS.has(n.kind)) return undefined;
  if (typeof n.functionName !== 'string' || typeof n.alias !== 'string' || typeof n.deploymentId !== 'string' || typeof n.startedBy !== 'string') return undefined;
  if (n.kind === 'promoted' && !isPromotionEvidence((n as { evidence?: unknown }).evidence)) return undefined;
  return n as PublishedNotification;
}

function isPromotionEvidence(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const evidence = value as Record<string, unknown>;
  return typeof evidence['version'] === 'string' && ['invocations', 'minInvocations', 'checks', 'shortSteps'].every((key) => typeof evidence[key] === 'number');
}
