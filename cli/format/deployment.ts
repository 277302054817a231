import type { DeploymentSummary } from '../../shared/interfaces/http/api/views';
import { describePromotion } from '../../shared/model/deployment';
import { sanitiseDeep } from '../../shared/text/sanitise';
import { trafficBar } from './bar';
import type { Style } from './style';
import { renderTable } from './table';

/** A list item of `GET /deployments`: the API's own wire type, so the two cannot drift apart. */
export type { DeploymentSummary };

/** A deployment as `GET /deployments/{id}` returns it (the fields the CLI shows). */
export interface DeploymentDetail extends Omit<DeploymentSummary, 'updatedAt'> {
  readonly updatedAt?: string;
  readonly deadline?: string;
  readonly approvalId?: string;
  readonly problems?: readonly { path: string; message: string; line?: number; column?: number }[];
  readonly events: readonly { at: string; kind: string; message: string }[];
  readonly serverTime?: string;
  /** A function group: every member. */
  readonly members?: readonly DeploymentSummary[];
}

/** Statuses after which nothing changes any more. */
export const FINISHED = new Set(['SUCCEEDED', 'NO_CHANGE', 'ROLLED_BACK', 'DRIFTED', 'FAILED', 'REJECTED']);
/** Finished statuses that mean "it worked". */
export const SUCCESSFUL = new Set(['SUCCEEDED', 'NO_CHANGE']);

export function colourStatus(status: string, style: Style): string {
  if (SUCCESSFUL.has(status)) return style.green(status);
  if (FINISHED.has(status)) return style.red(status);
  if (status === 'AWAITING_APPROVAL') return style.yellow(status);
  return style.cyan(status);
}

function versions(d: Pick<DeploymentDetail, 'previousVersion' | 'newVersion'>): string {
  return `${d.previousVersion ? `v${d.previousVersion}` : '–'} → ${d.newVersion ? `v${d.newVersion}` : '?'}`;
}

/** `12m 30s`, `1h 05m`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The health line: the last check's verdict, or what is known before the first check. */
function health(d: DeploymentDetail): string {
  const checks = d.events.filter((e) => e.kind === 'check');
  if (checks.length === 0) return 'no checks yet';
  return `${checks.length} check${checks.length === 1 ? '' : 's'}, last: ${checks.at(-1)!.message}`;
}

/**
 * The status block `fledge status` prints (and redraws with --watch): what is deployed where,
 * the current step, the traffic split as a bar, health, time left and the latest event. Every
 * text from the API (keys, reasons, messages) is shown on one line, control characters escaped.
 */
export function formatStatus(detail: DeploymentDetail, style: Style): string[] {
  const d = sanitiseDeep(detail);
  const last = d.events.at(-1);
  const finished = FINISHED.has(d.status);
  const now = d.serverTime ? Date.parse(d.serverTime) : Date.now();
  const rows: string[][] = [
    ['Deployment', `${d.deploymentId}  ${colourStatus(d.status, style)}`],
    ...(d.members
      ? // A group: each member with its versions, its weight and how it stands.
        d.members.map((m) => ['Member', `${m.functionName}:${m.alias}  ${versions(m)}  ${m.currentWeight ?? 0}%  ${colourStatus(m.status, style)}`])
      : [
          ['Function', `${d.functionName}:${d.alias}  ${versions(d)}`],
          ['Traffic', trafficBar(finished ? (d.status === 'SUCCEEDED' ? 100 : 0) : (d.currentWeight ?? 0))],
        ]),
    ['Step', last ? last.message : 'waiting to start'],
    ['Health', health(d)],
  ];
  const webhooks = d.events.filter((e) => e.kind === 'webhook');
  // Each webhook call is an event (with its status and latency): how many, and the last answer.
  if (webhooks.length > 0) rows.push(['Webhooks', `${webhooks.length} call${webhooks.length === 1 ? '' : 's'}, last: ${webhooks.at(-1)!.message}`]);
  if (!finished && d.deadline) rows.push(['Time left', `${formatDuration(Date.parse(d.deadline) - now)} (until ${d.deadline})`]);
  if (d.status === 'QUEUED') rows.push(['Queued', `behind ${d.queuedBehind ?? 'the deployment holding the alias'}; starts when it ends (cancel: fledge stop ${d.deploymentId})`]);
  if (d.groupId) rows.push(['Group', `member of group deployment ${d.groupId}`]);
  if (d.status === 'AWAITING_APPROVAL') rows.push(['Approval', `fledge approve ${d.deploymentId}   or   fledge reject ${d.deploymentId}`]);
  if (d.reason) rows.push(['Reason', d.reason]);
  if (d.evidence) rows.push(['Evidence', describePromotion(d.evidence)]);
  for (const p of d.problems ?? []) rows.push(['Problem', `${p.line ? `${p.line}:${p.column} ` : ''}${p.path ? `${p.path}  ` : ''}${p.message}`]);
  rows.push(['Started by', `${d.startedBy} (${d.source}) at ${d.createdAt}`]);
  return renderTable(rows.map(([k, v]) => [style.bold(k!), v!]));
}

/** One plain line per change, for --watch when stdout is not a terminal. */
export function formatStatusLine(detail: DeploymentDetail): string {
  const d = sanitiseDeep(detail);
  const last = d.events.at(-1);
  return `${d.status.padEnd(17)} ${String(d.currentWeight ?? 0).padStart(3)}%  ${last ? last.message : 'waiting to start'}`;
}

/** The history table; texts from the API on one line, control characters escaped. */
export function formatHistory(summaries: readonly DeploymentSummary[], style: Style): string[] {
  if (summaries.length === 0) return ['no deployments found'];
  const items = sanitiseDeep(summaries);
  return renderTable([
    ['DEPLOYMENT', 'ALIAS', 'STATUS', 'VERSIONS', 'STARTED', 'BY', 'REASON'].map((h) => style.bold(h)),
    // A promotion says on how much evidence, where other endings say why.
    ...items.map((d) => [d.deploymentId, d.alias, colourStatus(d.status, style), versions(d), d.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), d.startedBy, Array.from(d.reason ?? (d.evidence ? describePromotion(d.evidence) : '')).slice(0, 80).join('')]),
  ]);
}
