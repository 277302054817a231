import type { SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { describePromotion } from '../model/deployment';
import { sanitise, sanitiseDeep } from '../text/sanitise';
import { filterWordsOf, type DeploymentNotification } from '../model/notification';
import type { Notifier } from '../ports/notifier';
import { translate } from './aws-errors';

/** Builds the links of an approval message (issue 5 signs them); without it the message names the CLI. */
export type ApprovalLinkBuilder = (approvalId: string, expiresAt: number) => Promise<{ approve: string; reject: string }> | { approve: string; reject: string };

/**
 * {@link Notifier} over SNS. The message is text a person reads in an e-mail; the message
 * attributes carry the machine-readable facts (`kind`, `deploymentId`, `facts` as JSON) for
 * subscribers such as the Slack notifier. Approval requests go to their own topic when configured.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topics: { notifications: string; approvals?: string },
    private readonly approvalLinks?: ApprovalLinkBuilder,
  ) {}

  async notify(n: DeploymentNotification): Promise<void> {
    const topic = n.kind === 'approvalRequested' ? (this.topics.approvals ?? this.topics.notifications) : this.topics.notifications;
    const links = n.kind === 'approvalRequested' && this.approvalLinks ? await this.approvalLinks(n.approvalId, n.expiresAt) : undefined;
    const { subject, body } = render(n, links);
    const attributes: Record<string, MessageAttributeValue> = {
      kind: { DataType: 'String', StringValue: n.kind },
      // What a subscription's filter policy matches on (`{"events": ["approvals", "failures"]}`): the stack's per-channel filters.
      events: { DataType: 'String.Array', StringValue: JSON.stringify(filterWordsOf(n.kind)) },
      deploymentId: { DataType: 'String', StringValue: n.deploymentId },
      functionName: { DataType: 'String', StringValue: n.functionName },
      facts: { DataType: 'String', StringValue: JSON.stringify({ ...n, ...(links ? { links } : {}) }) },
      // The approval a request or a decision is about: a deployment with two approval steps has two of each.
      ...(n.kind === 'approvalRequested' || n.kind === 'approvalGiven' || n.kind === 'approvalRejected' ? { approvalId: { DataType: 'String', StringValue: n.approvalId } } : {}),
    };
    try {
      await this.client.send(new PublishCommand({ TopicArn: topic, Subject: subject, Message: body, MessageAttributes: attributes }));
    } catch (error) {
      throw translate(error, `Publish to ${topic}`);
    }
  }
}

/**
 * Subject (SNS: at most 100 printable characters) and body of a notification. Every value from
 * the deployment is put on one line with control characters escaped ({@link sanitiseDeep}): a
 * spec message or a reason cannot add a line — such as a forged `Approve: <url>` — to the e-mail.
 */
export function render(notification: DeploymentNotification, links?: { approve: string; reject: string }): { subject: string; body: string } {
  const n = sanitiseDeep(notification);
  // Trimmed first: YAML block scalars end with a line break that would show as `\n`.
  const message = notification.kind === 'approvalRequested' && notification.message?.trim() ? sanitise(notification.message.trim()) : undefined;
  const target = `${n.functionName}:${n.alias}${n.members && n.members.length > 1 ? ` and ${n.members.length - 1} more` : ''}${n.target ? ` in ${n.target}` : ''}`;
  const versions = `${n.previousVersion ? `version ${n.previousVersion}` : 'nothing'} → ${n.newVersion ? `version ${n.newVersion}` : 'a new version'}`;
  // A group names every member: its alias, its versions and, once ended, how it ended.
  const members = (n.members ?? []).map((member) => `  ${member.functionName}:${member.alias}: ${member.previousVersion ? `version ${member.previousVersion}` : 'nothing'} → ${member.newVersion ? `version ${member.newVersion}` : 'a new version'}${member.status ? ` (${member.status})` : ''}`);
  // A wave run names every target: where it is, its versions and how it stands.
  const targets = (n.targets ?? []).map((t) => `  ${t.id} (account ${t.accountId}, ${t.region}): ${t.previousVersion ? `version ${t.previousVersion}` : 'nothing'} → ${t.newVersion ? `version ${t.newVersion}` : 'a new version'} (${t.status})`);
  const facts =
    members.length > 0
      ? [`Deployment: ${n.deploymentId}`, `Group of ${members.length} functions:`, ...members, `Started by: ${n.startedBy}`]
      : targets.length > 0
      ? [`Deployment: ${n.deploymentId}`, `Function: ${target}`, `Targets (${targets.length}):`, ...targets, `Started by: ${n.startedBy}`]
      : [`Deployment: ${n.deploymentId}`, `Function: ${target}`, `Versions: ${versions}`, `Started by: ${n.startedBy}`];
  let subject: string;
  let lines: string[];
  switch (n.kind) {
    case 'started':
      subject = `fledge: ${target} deployment started`;
      lines = [`A ${n.strategy} deployment started (${n.source}).`];
      break;
    case 'weight':
      subject = `fledge: ${target} at ${n.percent}% on version ${n.version}`;
      lines = [`${n.percent}% of traffic now goes to version ${n.version}.`];
      break;
    case 'approvalGiven':
    case 'approvalRejected':
      subject = `fledge: ${target} ${n.kind === 'approvalGiven' ? 'approved' : 'rejected'} by ${n.by}`;
      lines = [`The approval ${n.approvalId} was ${n.kind === 'approvalGiven' ? 'given' : 'refused'} by ${n.by}${n.comment ? `: ${n.comment}` : '.'}`];
      break;
    case 'promoted':
      subject = n.members?.length ? `fledge: ${target} promoted` : n.targets?.length ? `fledge: ${target} promoted in ${n.targets.length} targets` : `fledge: ${target} promoted to version ${n.evidence.version}`;
      lines = n.members?.length
        ? ['Every function of the group now serves its new version with all traffic.']
        : n.targets?.length
          ? [`Every target now serves the new version with all traffic (${n.targets.map((t) => t.id).join(', ')}): ${describePromotion(n.evidence)}.`]
          : [`Version ${n.evidence.version} now serves all traffic: ${describePromotion(n.evidence)}.`];
      break;
    case 'rolledBack':
      subject = n.targets?.length ? `fledge: ${target} wave run rolled back` : `fledge: ${target} rolled back`;
      lines = [
        `The deployment was rolled back: ${n.reason}`,
        n.members?.length ? 'Every alias of the group is back on the version it served before.' : n.targets?.length ? 'Each target below says how it ended.' : 'The alias is back on the version it served before.',
      ];
      break;
    case 'drifted':
      subject = `fledge: ${target} changed by someone else`;
      lines = [`The deployment stopped: ${n.reason}`, `fledge did not touch the alias. It is now: ${n.aliasDescription}.`];
      break;
    case 'failed':
      subject = `fledge: ${target} deployment FAILED`;
      lines = [`The deployment failed and could not be rolled back: ${n.reason}`, `The alias is now: ${n.aliasDescription}.`, 'Check it and fix it by hand.'];
      break;
    case 'rejected':
      subject = `fledge: ${target} deployment refused`;
      lines = [`The deployment was refused before anything changed: ${n.reason}`];
      break;
    case 'approvalRequested':
      subject = `fledge: approve ${target}?`;
      lines = [
        `A deployment waits for your approval${message ? `: ${message}` : '.'}`,
        `Traffic on the new version: ${n.currentWeight}%`,
        `Health so far: ${n.health}`,
        `Decide before: ${new Date(n.expiresAt).toISOString()} (no decision means rejection)`,
        ...(links ? [`Approve: ${links.approve}`, `Reject: ${links.reject}`] : [`Approve: fledge approve ${n.deploymentId}`, `Reject: fledge reject ${n.deploymentId}`]),
      ];
      break;
  }
  return { subject: subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100), body: [...lines, '', ...facts].join('\n') };
}
