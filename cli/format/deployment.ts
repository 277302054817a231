import type { DeploymentSummary } from '../../shared/interfaces/http/api/views';
import type { WaveTargetView } from '../../shared/domain/deployment/wave-targets';
import { describePromotion } from '../../shared/model/deployment';
import type { DeploymentSpec } from '../../shared/model/spec';
import { planDeployment } from '../../shared/domain/plan/planner';
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
  readonly events: readonly DeploymentEventView[];
  readonly serverTime?: string;
  readonly startedAt?: string;
  readonly spec?: DeploymentSpec;
  readonly paused?: { readonly by: string; readonly at: string };
  /** A function group: every member. */
  readonly members?: readonly DeploymentSummary[];
  /** A wave run: the target ids of each wave, in order. */
  readonly waves?: readonly (readonly string[])[];
  /** A wave run: every target, with its deployment's status and weight. */
  readonly targets?: readonly WaveTargetView[];
}

/** One event of a deployment's history as the API shows it. */
export interface DeploymentEventView {
  readonly at: string;
  readonly kind: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** How `fledge status` words its hints: the flags that reach the same fledge (`--local`, `--endpoint …`). */
export interface StatusHints {
  readonly flags?: string;
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

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const rate = (errors: number, calls: number) => (calls > 0 ? `${Number(((100 * errors) / calls).toFixed(2))}%` : '–');

/**
 * The numbers behind the last health check, from its evidence record: the new version's calls
 * (this step, the whole deployment, what a pause requires) and error rate against its limit,
 * then each judged signal (latency, the old version as baseline, …) with its value and limit.
 */
export function healthNumbers(d: Pick<DeploymentDetail, 'events'>): string[] {
  const data = d.events.filter((e) => e.kind === 'check').at(-1)?.data;
  if (!data) return [];
  const rows: string[] = [];
  const evidence = data['evidence'] as Record<string, unknown> | undefined;
  const errorRate = data['errorRate'] as Record<string, unknown> | undefined;
  const version = String(evidence?.['version'] ?? errorRate?.['version'] ?? '?');
  const calls = [] as string[];
  const step = num(evidence?.['invocations']);
  const total = num(evidence?.['total']);
  const required = num(evidence?.['required']);
  if (step !== undefined) calls.push(`${step} call${step === 1 ? '' : 's'} this step${required ? ` (${required} required)` : ''}`);
  if (total !== undefined) calls.push(`${total} since the start`);
  const errors = num(errorRate?.['errors']);
  const measured = num(errorRate?.['invocations']);
  if (errors !== undefined && measured !== undefined) {
    calls.push(`errors ${rate(errors, measured)} (${errors} of ${measured} at the last check${num(errorRate?.['thresholdPercent']) !== undefined ? `, limit ${errorRate?.['thresholdPercent']}%` : ''})`);
  }
  if (calls.length > 0) rows.push(`v${version}: ${calls.join(', ')}`);
  const signals = Array.isArray(data['signals']) ? (data['signals'] as Record<string, unknown>[]) : [];
  for (const signal of signals) {
    const value = num(signal['value']);
    const baseline = num(signal['baseline']);
    const threshold = num(signal['threshold']);
    const parts = [`${String(signal['name'])}: ${value === undefined ? 'no data' : Number(value.toFixed(2))}`];
    if (baseline !== undefined) parts.push(`baseline ${Number(baseline.toFixed(2))}`);
    if (threshold !== undefined) parts.push(`limit ${Number(threshold.toFixed(2))}`);
    if (num(signal['samples']) !== undefined) parts.push(`${String(signal['samples'])} samples`);
    rows.push(`${parts.join(', ')} [${String(signal['verdict'])}${signal['dryRun'] === true ? ', dry run' : ''}]`);
  }
  return rows;
}

/**
 * An honest estimate of the time left: the rest of the spec's plan from the current step, as if
 * every check passes, counting what the current step has already waited — not the spec's
 * timeout, which is only the latest it may end. Approvals ahead are named, not guessed.
 */
export function timeLeft(d: DeploymentDetail, now: number): string | undefined {
  if (!d.spec || FINISHED.has(d.status)) return undefined;
  let plan;
  try {
    plan = planDeployment(d.spec, { functionExists: d.previousVersion !== undefined });
  } catch {
    return undefined;
  }
  const weights = d.events.filter((e) => e.kind === 'weight');
  const shifts = plan.actions.map((action, index) => ({ action, index })).filter(({ action }) => action.action.kind === 'setWeight');
  const current = weights.length > 0 ? shifts[weights.length - 1] : undefined;
  const from = current ? current.action.startsAt : 0;
  const waited = current ? Math.max(0, now - Date.parse(weights.at(-1)!.at)) / 1000 : 0;
  const left = Math.max(0, plan.minimumDuration - from - (d.status === 'AWAITING_APPROVAL' ? 0 : waited));
  const approvals = plan.actions.slice(current ? current.index + 1 : 0).filter((action) => action.action.kind === 'approval').length;
  const then = approvals > 0 ? ` plus ${approvals === 1 ? 'an approval' : `${approvals} approvals`}` : '';
  if (d.status === 'AWAITING_APPROVAL') return `about ${formatDuration(left * 1000)} once approved${then}`;
  if (d.paused) return `on hold (paused): about ${formatDuration(left * 1000)} once resumed${then}`;
  return `about ${formatDuration(left * 1000)} if every check passes${then}`;
}

/** One history event as a line of a log: time, kind, message (escaped, on one line). */
export function formatEvent(event: DeploymentEventView): string {
  const e = sanitiseDeep({ at: event.at, kind: event.kind, message: event.message });
  return `${e.at}  ${e.kind.padEnd(17)}  ${e.message}`;
}

/**
 * The status block `fledge status` prints (and redraws with --watch): what is deployed where,
 * the current step, the traffic split as a bar, health, time left and the latest event. Every
 * text from the API (keys, reasons, messages) is shown on one line, control characters escaped.
 */
export function formatStatus(detail: DeploymentDetail, style: Style, hints: StatusHints = {}): string[] {
  const d = sanitiseDeep(detail);
  const flags = hints.flags ?? '';
  // A channel's failure is shown on its own row, never as the deployment's step.
  const last = d.events.filter((e) => e.kind !== 'notificationFailed').at(-1);
  const finished = FINISHED.has(d.status);
  const now = d.serverTime ? Date.parse(d.serverTime) : Date.now();
  const rows: string[][] = [
    ['Deployment', `${d.deploymentId}  ${colourStatus(d.status, style)}`],
    ...(d.targets
      ? // A wave run: its waves, then each target where it deploys, its weight and how it stands (and why).
        [
          ['Function', `${d.functionName}:${d.alias}`],
          ['Waves', (d.waves ?? []).map((wave) => wave.join(' + ')).join('  then  ')],
          ...d.targets.map((t) => [
            'Target',
            `${t.id} (account ${t.accountId}, ${t.region})  wave ${t.wave}  ${colourStatus(t.status, style)}  ${t.weight}%${t.newVersion ? `  ${versions(t)}` : ''}  ${t.deploymentId}${t.reason ? `  ${t.reason}` : ''}`,
          ]),
        ]
      : d.members
      ? // A group: each member with its versions, its weight and how it stands.
        d.members.map((m) => ['Member', `${m.functionName}:${m.alias}  ${versions(m)}  ${m.currentWeight ?? 0}%  ${colourStatus(m.status, style)}`])
      : [
          ['Function', `${d.functionName}:${d.alias}  ${versions(d)}`],
          ['Traffic', trafficBar(finished ? (d.status === 'SUCCEEDED' ? 100 : 0) : (d.currentWeight ?? 0))],
        ]),
    ['Step', last ? last.message : 'waiting to start'],
    // A wave run judges no health itself: each target's deployment does (fledge status <target's id>).
    ...(d.targets ? [] : [['Health', health(d)], ...healthNumbers(d).map((row) => ['', row])]),
  ];
  if (d.paused) rows.push(['Paused', `by ${d.paused.by} at ${d.paused.at}: holding at this weight; \`fledge resume ${d.deploymentId}${flags}\` goes on`]);
  const webhooks = d.events.filter((e) => e.kind === 'webhook');
  // Each webhook call is an event (with its status and latency): how many, and the last answer.
  if (webhooks.length > 0) rows.push(['Webhooks', `${webhooks.length} call${webhooks.length === 1 ? '' : 's'}, last: ${webhooks.at(-1)!.message}`]);
  // The caller audit's warning (callers: warn): who bypasses the alias and will not see the canary.
  const callers = d.events.find((e) => e.kind === 'callers');
  if (callers) rows.push(['Callers', callers.message]);
  // Notifications that did not reach a channel (docs/events.md): never fatal, always visible.
  const undelivered = d.events.filter((e) => e.kind === 'notificationFailed');
  if (undelivered.length > 0) rows.push(['Notifications', style.yellow(`${undelivered.length} not delivered, last: ${undelivered.at(-1)!.message}`)]);
  const estimate = timeLeft(d, now);
  if (estimate) rows.push(['Time left', estimate]);
  if (!finished && d.deadline) rows.push(['Timeout', `${d.deadline} (${formatDuration(Date.parse(d.deadline) - now)} from now${d.paused ? ', pushed back by the time paused' : ''}): rolls back if not done by then`]);
  if (d.status === 'QUEUED') rows.push(['Queued', `behind ${d.queuedBehind ?? 'the deployment holding the alias'}; starts when it ends (cancel: fledge stop ${d.deploymentId})`]);
  if (d.groupId) rows.push(['Group', `member of group deployment ${d.groupId}`]);
  if (d.target) rows.push(['Target', `${d.target.id} (account ${d.target.accountId}, ${d.target.region}) of wave run ${d.parentId ?? '?'}  (fledge status ${d.parentId ?? ''}${flags})`]);
  if (d.status === 'AWAITING_APPROVAL') rows.push(['Approval', `fledge approve ${d.deploymentId}${flags}   or   fledge reject ${d.deploymentId}${flags}`]);
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

/** The history table (and `fledge list`'s, with the function column); texts from the API on one line, control characters escaped. */
export function formatHistory(summaries: readonly DeploymentSummary[], style: Style, options: { functionColumn?: boolean } = {}): string[] {
  if (summaries.length === 0) return ['no deployments found'];
  const items = sanitiseDeep(summaries);
  const fn = options.functionColumn === true;
  return renderTable([
    [...(fn ? ['FUNCTION'] : []), 'DEPLOYMENT', 'ALIAS', 'STATUS', ...(fn ? ['WEIGHT'] : []), 'VERSIONS', 'STARTED', 'BY', 'REASON'].map((h) => style.bold(h)),
    // A promotion says on how much evidence, where other endings say why.
    ...items.map((d) => [
      ...(fn ? [d.functionName] : []),
      d.deploymentId,
      d.alias,
      colourStatus(d.status, style),
      ...(fn ? [d.currentWeight === undefined ? '–' : `${d.currentWeight}%`] : []),
      versions(d),
      d.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      d.startedBy,
      d.reason ?? (d.evidence ? describePromotion(d.evidence) : ''),
    ]),
  ]);
}
