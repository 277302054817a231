import type { DeploymentEvent, DeploymentRecord, PromotionEvidence } from '../../../model/deployment';
import type { WaveRunView } from '../../../domain/deployment/wave-targets';

/** A deployment as the API shows it in lists: the facts a person scans for. */
export interface DeploymentSummary {
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly status: string;
  readonly previousVersion?: string;
  readonly newVersion?: string;
  /** Percent of traffic on the new version as last set. */
  readonly currentWeight?: number;
  readonly startedBy: string;
  readonly source: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly reason?: string;
  /** On what evidence the new version was promoted (SUCCEEDED): its invocations seen, what each pause required. */
  readonly evidence?: PromotionEvidence;
  /** A member of a function group: the group's deployment. */
  readonly groupId?: string;
  /** While QUEUED: the deployment it waits for. */
  readonly queuedBehind?: string;
  /** One target of a wave run: the run's deployment. */
  readonly parentId?: string;
  /** One target of a wave run: where it deploys. */
  readonly target?: { readonly id: string; readonly accountId: string; readonly region: string };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The list view of a record. */
export function summaryOf(record: DeploymentRecord): DeploymentSummary {
  return {
    deploymentId: record.deploymentId,
    functionName: record.functionName,
    alias: record.alias,
    status: record.status,
    ...(record.snapshot?.alias ? { previousVersion: record.snapshot.alias.version } : {}),
    ...(record.newVersion ? { newVersion: record.newVersion } : {}),
    ...(record.currentWeight !== undefined ? { currentWeight: record.currentWeight } : {}),
    startedBy: record.startedBy,
    source: record.source,
    createdAt: iso(record.createdAt) ?? '',
    updatedAt: iso(record.updatedAt) ?? '',
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.evidence ? { evidence: record.evidence } : {}),
    ...(record.groupId ? { groupId: record.groupId } : {}),
    ...(record.status === 'QUEUED' && record.queuedBehind ? { queuedBehind: record.queuedBehind } : {}),
    ...(record.parentId ? { parentId: record.parentId } : {}),
    ...(record.target ? { target: { id: record.target.id, accountId: record.target.accountId, region: record.target.region } } : {}),
  };
}

/**
 * The full view: the summary, the spec and artifact, the controls requested, and the timeline.
 * Internal bookkeeping (write-ahead intents, revision ids, the approval's token) stays out.
 */
export function detailOf(record: DeploymentRecord, events: readonly DeploymentEvent[], members: readonly DeploymentRecord[] = [], waveRun?: WaveRunView) {
  // A placeholder of an S3 drop has not been read yet: it has no spec of its own either.
  const refused = record.placeholder === true || (record.status === 'REJECTED' && record.problems !== undefined && record.problems.length > 0 && record.spec.timeout === 0);
  return {
    ...summaryOf(record),
    ...(record.startedAt !== undefined ? { startedAt: iso(record.startedAt) } : {}),
    ...(record.deadline !== undefined ? { deadline: iso(record.deadline) } : {}),
    ...(record.status === 'PENDING' && record.startDeadline !== undefined ? { startDeadline: iso(record.startDeadline) } : {}),
    ...(record.status === 'PENDING' && record.startFailure ? { startFailure: record.startFailure } : {}),
    ...(record.executionArn ? { executionArn: record.executionArn } : {}),
    ...(record.status === 'AWAITING_APPROVAL' && record.approvalId ? { approvalId: record.approvalId } : {}),
    ...(record.promoteRequested ? { promoteRequested: { by: record.promoteRequested.by, at: iso(record.promoteRequested.at) } } : {}),
    ...(record.stopRequested ? { stopRequested: { ...record.stopRequested, at: iso(record.stopRequested.at) } } : {}),
    ...(record.paused ? { paused: { by: record.paused.by, at: iso(record.paused.at) } } : {}),
    ...(record.problems ? { problems: record.problems } : {}),
    // A spec that could not be read has only a placeholder: the problems say what was wrong.
    ...(refused ? {} : { spec: record.spec, artifact: record.artifact }),
    // A group: every member, as the list shows a deployment (its alias, versions, weight, status).
    ...(record.members ? { members: members.map(summaryOf) } : {}),
    // A wave run: its waves (target ids), and every target with its deployment, status and weight.
    ...(waveRun ? { waves: waveRun.waves, targets: waveRun.targets } : {}),
    events: events.map((e) => ({ at: iso(e.at), kind: e.kind, message: e.message, ...(e.data ? { data: e.data } : {}) })),
  };
}
