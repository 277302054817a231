import { NOTIFICATION_KINDS } from '../../model/notification';
import type { PublishedEvent } from '../../ports/notifier';
import { sanitise, sanitiseDeep } from '../../text/sanitise';

/**
 * Text for an Adaptive Card TextBlock: one line ({@link sanitise}), with the characters Teams'
 * markdown subset acts on escaped, so user text cannot make a link, a heading or a list.
 */
export function escapeTeamsMarkdown(text: string): string {
  // The characters that start emphasis, code, links or raw HTML; a `-`, `#` or `1.` at the start of a line cannot occur (one line, prefixed).
  return sanitise(text).replace(/[\\`*_[\]()<>~]/g, (c) => `\\${c}`);
}

/**
 * The Microsoft Teams message of an event: an Adaptive Card (1.4) in the envelope Teams' incoming
 * webhooks and Workflows accept, with a title, the facts, what happened and, when the installation
 * has an API URL, a button to the deployment.
 */
export function teamsMessage(event: PublishedEvent, link?: string): unknown {
  const n = sanitiseDeep(event.notification);
  const facts = [
    { title: 'Function', value: `${n.functionName}:${n.alias}` },
    { title: 'Versions', value: `${n.previousVersion ?? 'nothing'} → ${n.newVersion ?? 'new version'}` },
    { title: 'Started by', value: n.startedBy },
    { title: 'Deployment', value: n.deploymentId },
  ].map((fact) => ({ title: fact.title, value: escapeTeamsMarkdown(fact.value) }));
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: escapeTeamsMarkdown(`fledge: ${NOTIFICATION_KINDS[n.kind]} — ${n.functionName}:${n.alias}`) },
            { type: 'TextBlock', wrap: true, text: escapeTeamsMarkdown(summary(event)) },
            { type: 'FactSet', facts },
          ],
          ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open the deployment', url: link }] } : {}),
        },
      },
    ],
  };
}

function summary(event: PublishedEvent): string {
  const n = event.notification;
  switch (n.kind) {
    case 'started':
      return `A ${n.strategy} deployment started (${n.source}).`;
    case 'weight':
      return `${n.percent}% of traffic now goes to version ${n.version}.`;
    case 'approvalRequested':
      return `Waiting for approval at ${n.currentWeight}% until ${new Date(n.expiresAt).toISOString()}${n.message ? `: ${n.message.trim()}` : ''}. Decide with fledge approve ${n.deploymentId} or fledge reject ${n.deploymentId}.`;
    case 'approvalGiven':
      return `Approved by ${n.by}${n.comment ? `: ${n.comment}` : ''}.`;
    case 'approvalRejected':
      return `Rejected by ${n.by}${n.comment ? `: ${n.comment}` : ''}.`;
    case 'promoted':
      return `Version ${n.evidence.version} now serves all traffic.`;
    case 'rolledBack':
      return `Rolled back: ${n.reason}`;
    case 'drifted':
      return `Stopped: ${n.reason}. fledge left the alias alone; it is now ${n.aliasDescription}.`;
    case 'failed':
      return `FAILED and could not be rolled back: ${n.reason}. The alias is now ${n.aliasDescription}; fix it by hand.`;
    case 'rejected':
      return `Refused before anything changed: ${n.reason}`;
  }
}
