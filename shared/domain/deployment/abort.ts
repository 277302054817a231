import type { EngineDeps } from './deps';
import { HealthCheckFailedError, isAwsFailure } from '../../model/engine-errors';
import { FledgeError } from '../../model/errors';
import { requireSettled } from './finish';
import type { DeploymentRecord } from '../../model/deployment';
import { loadRecord } from './record';
import { endGroup } from './group';
import { memberRecords } from './group-members';
import { isTerminal } from '../../model/deployment';
import { rollBackRecord } from './rollback';
import { actingIn } from './place';
import type { Home } from '../spec/names';

type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'> & Partial<Pick<EngineDeps, 'orchestrator' | 'targets'>>;

/** Why a deployment under way is rolled back at once from outside its execution: an alarm, or a newer deployment superseding it. */
interface TakeOver {
  readonly reason: string;
  readonly eventMessage: string;
  readonly data: Record<string, unknown>;
  /** Epoch ms of the cause: a deployment started after it is not concerned. */
  readonly at?: number;
}

function alarmTakeOver(change: AlarmStateChange): TakeOver {
  const at = change.at === undefined ? '' : ` at ${new Date(change.at).toISOString()}`;
  const reason = `alarm ${change.alarmName} went to ALARM${at}`;
  return { reason, eventMessage: `rolled back at once: ${reason} (event-driven abort)`, data: { abortedBy: { alarm: change.alarmName, ...(change.at === undefined ? {} : { at: change.at }) } }, ...(change.at === undefined ? {} : { at: change.at }) };
}

/**
 * Rolls back at once the deployment (or group) `holderId` that holds an alias a newer deployment
 * with `onConflict: supersede` wants — exactly as the alarm abort does: taken over, restored
 * (drift-aware), its ending recorded and told; a promotion already under way is left to finish.
 * Its execution, if it goes on, finds the ending at its next task (or its approval's timeout).
 */
export async function supersede(deps: Deps, holderId: string, by: string): Promise<AbortOutcome | undefined> {
  const record = await deps.store.getDeployment(holderId);
  if (!record) return undefined;
  const reason = `superseded by deployment ${by} (onConflict: supersede)`;
  const why: TakeOver = { reason, eventMessage: `rolled back: ${reason}`, data: { supersededBy: by } };
  return record.members !== undefined ? abortGroup(deps, record, why) : abortOne(deps, record, why);
}

/** An alarm's state change, as the abort reads it from CloudWatch's event. */
export interface AlarmStateChange {
  readonly alarmName: string;
  readonly state: string;
  /** Epoch ms of the change, when the event says. */
  readonly at?: number;
  /** The account and region of the alarm, as the event says (an event forwarded from another account keeps its own). */
  readonly account?: string;
  readonly region?: string;
}

/** What the abort did for one deployment the alarm gates. */
export interface AbortOutcome {
  readonly deploymentId: string;
  /**
   * `rolled-back` / `drifted`: the abort ended it; `finished`: it had ended (or was ending)
   * already — a late or duplicate event changes nothing; `promoting`: its promotion was under way,
   * which the abort does not undo; `before`: the alarm changed before the deployment started.
   */
  readonly outcome: 'rolled-back' | 'drifted' | 'finished' | 'promoting' | 'before';
  /** Whether its execution was stopped by this call. */
  readonly stopped?: boolean;
}

/** The statuses in which traffic may be on the new version and the abort acts. */
const ABORTABLE = ['RUNNING', 'AWAITING_APPROVAL'] as const;

/**
 * Event-driven abort: an alarm that gates a deployment (one of its spec's `health.alarms`, or
 * fledge's own alarm on the new version) went to ALARM, so the deployment rolls back now instead
 * of at its next scheduled check. The deployments are found through the alias locks (one per
 * deployment under way; a few). For each that the alarm gates and that is still under way:
 *
 * 1. it takes the deployment over (`abandonedAt`, conditional on the status): from then on no task
 *    of the execution can announce an alias change, so neither a check that shifts traffic nor a
 *    NextStep can move the alias after this point;
 * 2. it reads the record again: a change a task announced before the takeover shows as the
 *    record's intent — a promotion is left to finish (the abort never undoes one; the takeover is
 *    released), any other is fenced by the restore (its target counts as fledge's own, and the
 *    restore gives the alias a new revision, which fails that change's guard if it is late);
 * 3. it rolls back as the Rollback task does: alias to the snapshot guarded by its revision
 *    (drift-aware), then the status and each side effect of the ending, once, whoever races it;
 * 4. it stops the execution (best-effort: an execution that keeps running finds the record ended
 *    at its next task and rolls back into the ending already recorded).
 *
 * Idempotent: a duplicate event finds the deployment ended (its lock released) and changes
 * nothing; so does an event that arrives after the deployment was promoted. A failure is thrown
 * so Lambda's asynchronous retries deliver the event again.
 */
export async function abortOnAlarm(deps: Deps & Pick<EngineDeps, 'home'>, change: AlarmStateChange): Promise<AbortOutcome[]> {
  if (change.state !== 'ALARM') return [];
  const { store } = deps;
  const outcomes: AbortOutcome[] = [];
  const groups = new Set<string>();
  for (const lock of await store.listLocks()) {
    const record = await store.getDeployment(lock.holder);
    if (!record || !gatedBy(record, change, deps.home)) continue;
    if (record.groupId !== undefined) {
      // A member's alarm rolls its whole group back, once however many members it gates.
      if (groups.has(record.groupId)) continue;
      groups.add(record.groupId);
      const group = await store.getDeployment(record.groupId);
      // A target's deployment is rolled back in its target, with its role.
      if (group) outcomes.push(await abortGroup(await actingIn(deps, group), group, alarmTakeOver(change)));
      continue;
    }
    outcomes.push(await abortOne(await actingIn(deps, record), record, alarmTakeOver(change)));
  }
  return outcomes;
}

/**
 * Whether the alarm gates the deployment: one of its spec's alarms or fledge's alarm on its new
 * version, of the deployment's own account and region. For one target of a wave run that is the
 * target's (its events reach fledge's bus only when the target account forwards them); for any
 * other, fledge's own (`home`, where fledge runs): a same-named alarm forwarded from elsewhere
 * is not the deployment's. An event that does not say where it is from is taken as fledge's own.
 */
export function gatedBy(record: DeploymentRecord, change: Pick<AlarmStateChange, 'alarmName' | 'account' | 'region'>, home: Pick<Home, 'accountId' | 'region'>): boolean {
  const named = record.alarmName === change.alarmName || (record.spec?.health?.alarms ?? []).includes(change.alarmName);
  if (!named) return false;
  if (record.target !== undefined) return change.account === record.target.accountId && change.region === record.target.region;
  if (change.account === undefined) return true;
  return change.account === home.accountId && (change.region === undefined || change.region === home.region);
}

async function abortOne(deps: Deps, record: DeploymentRecord, change: TakeOver): Promise<AbortOutcome> {
  const { store } = deps;
  const deploymentId = record.deploymentId;
  if (!(ABORTABLE as readonly string[]).includes(record.status)) return { deploymentId, outcome: 'finished' };
  const started = record.startedAt ?? record.createdAt;
  if (change.at !== undefined && change.at < started) return { deploymentId, outcome: 'before' };
  if (promoting(record)) return { deploymentId, outcome: 'promoting' };

  const taken = await store.updateDeployment(deploymentId, takeover(deps, change), { onlyIfStatusIn: ABORTABLE });
  if (!taken) return { deploymentId, outcome: 'finished' };
  const current = await loadRecord(store, deploymentId);
  if (promoting(current)) {
    // Announced before the takeover: the promotion goes on, and its later tasks must not be fenced.
    await store.updateDeployment(deploymentId, RELEASED, { onlyIfStatusIn: ABORTABLE });
    return { deploymentId, outcome: 'promoting' };
  }
  const reason = change.reason;
  const finished = await rollBackRecord(deps, current, reason, {
    eventMessage: change.eventMessage,
    from: ABORTABLE,
    actor: 'abort',
    data: change.data,
    ...(change.at === undefined ? {} : { failureDetectedAt: change.at }),
  });
  const stopped = await stopExecution(deps, deploymentId, reason);
  const status = requireSettled(deploymentId, finished);
  return { deploymentId, outcome: status === 'DRIFTED' ? 'drifted' : status === 'ROLLED_BACK' ? 'rolled-back' : 'finished', stopped };
}

/**
 * The abort for a group: as {@link abortOne}, over every member — the group and each open member
 * taken over, a promotion announced by any member left to finish (Promote moves every alias
 * before recording any), otherwise every member rolled back and the group's one ending recorded;
 * then its execution stopped.
 */
async function abortGroup(deps: Deps, group: DeploymentRecord, change: TakeOver): Promise<AbortOutcome> {
  const { store } = deps;
  const deploymentId = group.deploymentId;
  if (!(ABORTABLE as readonly string[]).includes(group.status)) return { deploymentId, outcome: 'finished' };
  const started = group.startedAt ?? group.createdAt;
  if (change.at !== undefined && change.at < started) return { deploymentId, outcome: 'before' };
  if ((await memberRecords(store, group)).some(promoting)) return { deploymentId, outcome: 'promoting' };
  const taken = await store.updateDeployment(deploymentId, takeover(deps, change), { onlyIfStatusIn: ABORTABLE });
  if (!taken) return { deploymentId, outcome: 'finished' };
  for (const member of await memberRecords(store, group)) await store.updateDeployment(member.deploymentId, takeover(deps, change), { onlyIfStatusIn: ABORTABLE });
  const members = await memberRecords(store, group);
  if (members.some(promoting)) {
    for (const member of [group, ...members]) await store.updateDeployment(member.deploymentId, RELEASED, { onlyIfStatusIn: ABORTABLE });
    return { deploymentId, outcome: 'promoting' };
  }
  const { reason, data } = change;
  for (const member of [...members].reverse()) {
    if (isTerminal(member.status)) continue;
    requireSettled(member.deploymentId, await rollBackRecord(deps, member, reason, { eventMessage: change.eventMessage, from: ABORTABLE, actor: 'abort', data }));
  }
  const finished = await endGroup(deps, await loadRecord(store, deploymentId), reason, 'rolled back at once', { from: ABORTABLE, data });
  const stopped = await stopExecution(deps, deploymentId, reason);
  return { deploymentId, outcome: finished.status === 'DRIFTED' ? 'drifted' : finished.status === 'ROLLED_BACK' ? 'rolled-back' : 'finished', stopped };
}

/** The takeover's mark: when, and the reason its ending records whoever writes it (see `abandonedFor`). */
function takeover(deps: Pick<Deps, 'clock'>, change: TakeOver) {
  return { abandonedAt: deps.clock.now(), abandonedFor: change.reason };
}

/** A takeover released (a promotion was under way). */
const RELEASED = { abandonedAt: null, abandonedFor: null };

/**
 * A promotion is under way: announced (the alias wholly to the new version) or made but not yet
 * recorded (an ordered group's member whose turn ended is not: see `turnEndedAt`). Never with a final bake: all traffic on the new version is then watched like a pause,
 * and an alarm rolls it back (the success is recorded only over no takeover, see promote.ts).
 */
function promoting(record: DeploymentRecord): boolean {
  const target = record.intent?.target;
  if (record.newVersion === undefined || record.spec?.finalBake !== undefined) return false;
  // An ordered group's member whose turn ended is at 100% ahead of the group's promotion, which is not under way.
  if (record.turnEndedAt !== undefined) return false;
  if (target && target.version === record.newVersion && Object.keys(target.weights).length === 0) return true;
  return record.currentWeight === 100;
}

/** Stops the deployment's execution; false when it was not running or Step Functions did not answer. */
async function stopExecution(deps: Deps, deploymentId: string, reason: string): Promise<boolean> {
  const orchestrator = deps.orchestrator;
  // Without Step Functions at hand (Prepare superseding it), the execution finds the ending at its next task.
  if (!orchestrator) return false;
  try {
    const execution = await orchestrator.findExecution(deploymentId);
    if (execution?.status !== 'RUNNING') return false;
    await orchestrator.stopExecution({ executionArn: execution.executionArn, error: FledgeError.nameOf(HealthCheckFailedError), cause: `rolled back by the alarm abort: ${reason}` });
    return true;
  } catch (error) {
    if (!isAwsFailure(error)) throw error;
    return false;
  }
}
