import { inspect } from '@fledge-local/embedded-aws';
import { isTerminal, type AliasLock, type DeploymentEvent, type DeploymentRecord, type DeploymentStatus } from '../../../shared/model/deployment';
import type { DeploymentStore } from '../../../shared/ports/deployment-store';
import { aliasState, notificationsOf, type Notification } from './world';

/** Everything the invariants look at once a case is over (read with no fault injected). */
export interface Observation {
  readonly record?: DeploymentRecord;
  readonly events: readonly DeploymentEvent[];
  readonly lock?: AliasLock;
  readonly alias: { readonly version: string; readonly weights: Readonly<Record<string, number>> } | null;
  readonly notifications: readonly Notification[];
  /** A dropped spec whose event the S3 trigger still failed on after Lambda's retries, handed to the failed-events destination (people are told). */
  readonly handedOver: boolean;
}

/**
 * Reads the deployment, its history, the lock, the alias and the notifications; for a dropped
 * spec (`dropKey`), also whether its event went to the failed-events destination.
 */
export async function observe(where: { readonly endpoint: string; readonly store: DeploymentStore; readonly failedEventsTopicArn?: string; readonly watcher: string }, deploymentId: string, functionName: string, options: { alias?: string; dropKey?: string } = {}): Promise<Observation> {
  const alias = options.alias ?? 'live';
  const record = await where.store.getDeployment(deploymentId);
  return {
    handedOver: options.dropKey !== undefined && where.failedEventsTopicArn !== undefined && (await failedEventsMention(where.endpoint, where.failedEventsTopicArn, options.dropKey)),
    ...(record ? { record } : {}),
    events: record ? await where.store.listEvents(deploymentId) : [],
    ...(await where.store.getLock(functionName, alias).then((lock) => (lock ? { lock } : {}))),
    alias: await aliasState(where.endpoint, functionName, alias),
    notifications: await notificationsOf(where.endpoint, deploymentId, where.watcher),
  };
}

async function failedEventsMention(endpoint: string, topicArn: string, text: string): Promise<boolean> {
  const { messages } = await inspect<{ messages: { body: string }[] }>(endpoint, 'sns', 'outbox', { topicArn });
  return messages.some((message) => message.body.includes(text));
}

/** What the case expects of the deployment. */
export interface Expectation {
  readonly deploymentId: string;
  readonly oldVersion: string | null;
  readonly newVersion: string;
  /** The API told the caller no (and nothing may have started): a valid outcome when no record exists. */
  readonly refusedAtDoor: boolean;
  /** The status the case must end with (the fault-free outcome), when faults may not change it. */
  readonly sameAs?: DeploymentStatus;
}

/** The invariants' verdict. */
export interface Judgement {
  readonly status: string;
  readonly reason?: string;
  readonly aliasSplit: boolean;
  readonly aliasDisagrees: boolean;
  readonly lost: boolean;
  readonly outcomeChanged: boolean;
  readonly lockHeld: boolean;
  readonly historyMissing: boolean;
  readonly notificationsWrong: boolean;
  readonly problems: readonly string[];
}

/** The history event each ending writes. */
const EVENT_OF: Readonly<Partial<Record<DeploymentStatus, string>>> = { SUCCEEDED: 'promoted', ROLLED_BACK: 'rolledBack', FAILED: 'failed', REJECTED: 'rejected', DRIFTED: 'drifted', NO_CHANGE: 'noChange' };

/** The notification each unhappy ending sends (a success may send one, never a failure's). */
const NOTIFICATION_OF: Readonly<Partial<Record<DeploymentStatus, string>>> = { ROLLED_BACK: 'rolledBack', FAILED: 'failed', REJECTED: 'rejected', DRIFTED: 'drifted' };
const FAILURE_KINDS = new Set(Object.values(NOTIFICATION_OF));

/** Statuses a deployment of this suite may end in: nobody else touches its aliases, so DRIFTED is fledge mistaking its own change. */
const ALLOWED_ENDINGS = new Set(['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'REJECTED', 'REFUSED', 'HANDED_OVER']);

/**
 * The invariants every case must hold at its end: a terminal status, recorded in the history;
 * the alias whole (one version, no weights) and on the version the status says (SUCCEEDED: the
 * new one; anything else: the one before, or no alias when there was none); the lock released;
 * exactly one notification of the outcome; and, when faults may not change it, the fault-free
 * outcome.
 */
export function judge(observation: Observation, expectation: Expectation): Judgement {
  const problems: string[] = [];
  const { record, events, lock, alias, notifications } = observation;
  const id = expectation.deploymentId;
  let status: string;
  let lost = false;
  if (!record) {
    status = expectation.refusedAtDoor ? 'REFUSED' : observation.handedOver ? 'HANDED_OVER' : 'NONE';
    if (status === 'NONE') {
      lost = true;
      problems.push(`lost: no record of deployment ${id}`);
    }
  } else {
    status = record.status;
    if (!isTerminal(record.status)) {
      lost = true;
      problems.push(`lost: deployment ${id} is still ${record.status}`);
    }
  }
  if (!ALLOWED_ENDINGS.has(status) && !lost) problems.push(`ended ${status}, which no deployment of this suite may (nobody else touches its alias)`);

  const aliasSplit = alias !== null && Object.values(alias.weights).some((weight) => weight > 0);
  if (aliasSplit) problems.push(`alias split: version ${alias.version} with weights ${JSON.stringify(alias.weights)}`);
  const expectedVersion = status === 'SUCCEEDED' ? (record?.newVersion ?? expectation.newVersion) : expectation.oldVersion;
  const aliasDisagrees = (alias?.version ?? null) !== expectedVersion;
  if (aliasDisagrees) problems.push(`alias disagrees with ${status}: it serves ${alias ? `version ${alias.version}` : 'nothing (no alias)'}, expected ${expectedVersion === null ? 'no alias' : `version ${expectedVersion}`}`);

  const outcomeChanged = expectation.sameAs !== undefined && status !== expectation.sameAs;
  if (outcomeChanged) problems.push(`outcome changed: ${status}, the fault-free outcome is ${expectation.sameAs}`);

  const lockHeld = lock?.holder === id;
  if (lockHeld) problems.push(`lock of ${lock.functionName}:${lock.alias} still held by ${id}`);

  const wanted = record && isTerminal(record.status) ? EVENT_OF[record.status] : undefined;
  const historyMissing = wanted !== undefined && !events.some((event) => event.kind === wanted);
  if (historyMissing) problems.push(`history has no ${wanted} event (kinds: ${events.map((event) => event.kind).join(', ')})`);

  const outcomes = notifications.filter((n) => n.kind !== 'approvalRequested').map((n) => n.kind);
  const notificationProblems: string[] = [];
  // A decision is once per approval (a deployment may have several approval steps); the rest once per deployment.
  const keys = notifications.filter((n) => n.kind !== 'approvalRequested').map((n) => (n.kind === 'approvalGiven' || n.kind === 'approvalRejected' ? `${n.kind} of ${n.approvalId ?? '?'}` : n.kind));
  const repeated = [...new Set(keys.filter((key, index) => keys.indexOf(key) !== index))];
  if (repeated.length > 0) notificationProblems.push(`notified ${repeated.join(', ')} more than once (${outcomes.join(', ')})`);
  const needed = record && isTerminal(record.status) ? NOTIFICATION_OF[record.status] : undefined;
  if (needed && !outcomes.includes(needed)) notificationProblems.push(`no ${needed} notification for ${status} (sent: ${outcomes.join(', ') || 'none'})`);
  if (status === 'SUCCEEDED' && outcomes.some((kind) => FAILURE_KINDS.has(kind))) notificationProblems.push(`a SUCCEEDED deployment notified ${outcomes.filter((kind) => FAILURE_KINDS.has(kind)).join(', ')}`);
  problems.push(...notificationProblems);

  return { status, ...(record?.reason ? { reason: record.reason } : {}), aliasSplit, aliasDisagrees, lost, outcomeChanged, lockHeld, historyMissing, notificationsWrong: notificationProblems.length > 0, problems };
}

/**
 * Whether the repair loop has nothing left to do: terminal, whole, agreeing, unlocked, recorded,
 * notified. (An outcome that differs from the fault-free one is not the repair loop's to change.)
 */
export function converged(judgement: Judgement): boolean {
  return !judgement.lost && !judgement.aliasSplit && !judgement.aliasDisagrees && !judgement.lockHeld && !judgement.historyMissing && !judgement.notificationsWrong;
}
