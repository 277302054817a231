import { isAsSnapshot, isOwnState, restoreAlias } from './alias';
import type { EngineDeps } from './deps';
import { event } from './events';
import { factsOf, finish, settle, type Finished } from './finish';
import type { DeploymentRecord } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { loadRecord, lockNameOf, REPAIRABLE_STATUSES } from './record';
import { rollBackRecord } from './rollback';
import { endGroup } from './group';
import { memberRecords } from './group-members';
import { describeRouting, isSplit } from './routing';

type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>;

/** Who repairs: the safety net (an execution's abnormal end) or the sweeper (on a schedule). */
export type Repairer = 'safety-net' | 'sweeper';

const WHO: Record<Repairer, string> = { 'safety-net': 'the safety net', sweeper: 'the sweeper' };

/** What the execution's end says about a deployment it left open (see {@link repairOpen}). */
export interface ExecutionEnd {
  /** It SUCCEEDED: the alias on the new version is its promotion. */
  readonly promoted?: boolean;
  /** It was refused before anything changed (ended `fledge.Rejected`) but could not record it. */
  readonly refused?: boolean;
  /** Its RollbackFailed task told people from the state (ended `fledge.RollbackFailed`): not again. */
  readonly reported?: boolean;
}

/**
 * Ends a deployment whose execution ended without ending it (or ran hopelessly past its
 * deadline). First it takes the deployment over (`abandonedAt`): from then on no task of that
 * execution may announce an alias change, and one announced before shows in the record read next
 * (and gets fenced off by the restore). Then: a promotion the execution finished but could not
 * record is recorded SUCCEEDED, a refusal REJECTED; anything else is rolled back from the
 * record's snapshot — guarded by the alias revision, so an alias someone else changed is left
 * alone (DRIFTED).
 *
 * @param options.reason why the deployment is repaired, for the record and the notification.
 */
export async function repairOpen(deps: Deps, deploymentId: string, options: { by: Repairer; reason: string } & ExecutionEnd): Promise<Finished> {
  const first = await deps.store.getDeployment(deploymentId);
  // A group is repaired as one: its members together, then the group's own ending.
  if (first?.groupId !== undefined) return repairOpen(deps, first.groupId, options);
  if (first?.members !== undefined) return repairOpenGroup(deps, first, options);
  return repairOne(deps, deploymentId, options);
}

/**
 * {@link repairOpen} for a group: taken over as a whole, then every member still open repaired as
 * a lone deployment is — a promotion the execution made is recorded for every member (a member
 * already recorded SUCCEEDED means Promote had moved every alias before recording any), anything
 * else rolls every member back — then the group's ending from its members'.
 */
async function repairOpenGroup(deps: Deps, group: DeploymentRecord, options: { by: Repairer; reason: string } & ExecutionEnd): Promise<Finished> {
  const { store, clock } = deps;
  await store.updateDeployment(group.deploymentId, { abandonedAt: clock.now() }, { onlyIfStatusIn: REPAIRABLE_STATUSES });
  const current = await loadRecord(store, group.deploymentId);
  if (isTerminal(current.status) && current.status !== 'FAILED') return settle(deps, current);
  options = { ...options, reason: current.abandonedFor ?? options.reason };
  const members = await memberRecords(store, current);
  const promoted = options.promoted === true || members.some((member) => member.status === 'SUCCEEDED');
  for (const member of [...members].reverse()) {
    if (!isTerminal(member.status)) await repairOne(deps, member.deploymentId, { ...options, promoted });
  }
  return endGroup(deps, current, options.reason, `repaired by ${WHO[options.by]}`, { from: REPAIRABLE_STATUSES, data: { repairedBy: options.by } });
}

async function repairOne(deps: Deps, deploymentId: string, options: { by: Repairer; reason: string } & ExecutionEnd): Promise<Finished> {
  const { store, clock } = deps;
  await store.updateDeployment(deploymentId, { abandonedAt: clock.now() }, { onlyIfStatusIn: REPAIRABLE_STATUSES });
  const record = await loadRecord(store, deploymentId);
  // Ended meanwhile (the execution's own ending won): only complete what that ending left.
  if (isTerminal(record.status) && record.status !== 'FAILED') return settle(deps, record);
  // Finishing what the alarm abort began (it died, or this repair races it): the alarm is the reason.
  options = { ...options, reason: record.abandonedFor ?? options.reason };
  const data = { repairedBy: options.by };
  if (options.promoted && record.newVersion !== undefined) {
    const alias = await deps.lambda.getAlias(record.functionName, record.alias);
    if (alias && alias.version === record.newVersion && !isSplit(alias) && isOwnState(record, alias)) {
      return finish(deps, record, {
        status: 'SUCCEEDED',
        eventKind: 'promoted',
        message: `version ${record.newVersion} promoted: ${record.functionName}:${record.alias} sends all traffic to it (recorded by ${WHO[options.by]}: ${options.reason})`,
        data: { version: record.newVersion, previousVersion: record.snapshot?.alias?.version ?? null, ...data },
        from: REPAIRABLE_STATUSES,
      });
    }
  }
  if (options.refused && !record.snapshot) {
    const reason = `refused before anything changed; ${options.reason}, so why could not be recorded`;
    return finish(deps, record, { status: 'REJECTED', reason, eventKind: 'rejected', message: `refused (recorded by ${WHO[options.by]})`, data, from: REPAIRABLE_STATUSES, notification: { kind: 'rejected', ...factsOf(record), reason } });
  }
  return rollBackRecord(deps, record, options.reason, {
    eventMessage: `rolled back by ${WHO[options.by]}: ${options.reason}`,
    from: REPAIRABLE_STATUSES,
    actor: options.by,
    data,
    ...(options.reported ? { alreadyNotified: true } : {}),
  });
}

/** What {@link repairFailed} did. */
export type FailedRepair = 'restored' | 'drifted' | 'whole' | 'superseded' | 'unrepairable';

/**
 * A FAILED deployment (its rollback could not finish; the lock kept until a repair has seen the
 * alias) gets the rollback finished once AWS answers. Whatever fledge left the alias at — split,
 * or whole on the new version (a promotion whose afterTraffic hook failed, or an alias fledge
 * created and could not delete) — goes back to the snapshot (or is deleted, when there was none),
 * guarded by the revision fledge last wrote: ROLLED_BACK. An alias someone else changed is left
 * alone: DRIFTED. A repair that ends the deployment records its own ending (event
 * `<repairer>-repair`) and notifies once. An alias already as the snapshot found it (put back by
 * hand, or by a concurrent repair that records it itself) is not touched: the deployment stays
 * FAILED, a `repaired` event says what was found (`<repairer>-found-whole`), and the lock is
 * released. Nor is an alias a newer deployment has taken the lock of (`<repairer>-found-superseded`):
 * it is that deployment's now. So a deployment that is not SUCCEEDED never keeps the new version
 * unless a newer deployment has taken the alias over.
 */
export async function repairFailed(deps: Deps, record: DeploymentRecord, by: Repairer): Promise<{ kind: FailedRepair; finished?: Finished }> {
  if (record.members !== undefined) return repairFailedGroup(deps, record, by);
  const { store, clock, lambda } = deps;
  const eventKey = `${by}-repair`;
  const data = { repairedBy: by };
  const snapshot = record.snapshot;
  if (!snapshot) {
    await store.releaseLock(lockNameOf(record), record.alias, record.deploymentId);
    await store.updateDeployment(record.deploymentId, { repairedAt: clock.now() }, { onlyIfStatusIn: ['FAILED'] });
    return { kind: 'unrepairable' };
  }
  const alias = (await lambda.getAlias(record.functionName, record.alias)) ?? null;
  if (isAsSnapshot(alias, snapshot)) {
    await store.appendEvent(event(record.deploymentId, `${by}-found-whole`, 'repaired', clock.now(), `${WHO[by]} found the alias as before the deployment (${describeRouting(alias)}) and left it; lock released`, { alias, ...data }));
    await store.releaseLock(lockNameOf(record), record.alias, record.deploymentId);
    await store.updateDeployment(record.deploymentId, { repairedAt: clock.now() }, { onlyIfStatusIn: ['FAILED'] });
    return { kind: 'whole' };
  }
  const lock = await store.getLock(lockNameOf(record), record.alias);
  if (lock && lock.holder !== record.deploymentId) {
    // A newer deployment took the lock over (Prepare may, from an ended holder): the alias is its
    // own now, and undoing what this one left would pull it from under that one.
    await store.appendEvent(event(record.deploymentId, `${by}-found-superseded`, 'repaired', clock.now(), `${WHO[by]} found the alias taken over by deployment ${lock.holder} (${describeRouting(alias)}) and left it to that deployment`, { alias, supersededBy: lock.holder, ...data }));
    await store.updateDeployment(record.deploymentId, { repairedAt: clock.now() }, { onlyIfStatusIn: ['FAILED'] });
    return { kind: 'superseded' };
  }
  const failed = record.reason ?? 'the rollback failed';
  const outcome = await restoreAlias(deps, record, by);
  if (outcome.kind === 'drifted') {
    const now = describeRouting(outcome.alias);
    const reason = `${failed}; then the alias was changed by someone else (${now}), so fledge left it alone`;
    const finished = await finish(deps, record, {
      status: 'DRIFTED',
      reason,
      eventKind: 'drifted',
      message: `not repaired: the alias was changed by someone else (${now})`,
      data: { alias: outcome.alias, ...data },
      from: ['FAILED'],
      eventKey,
      notification: { kind: 'drifted', ...factsOf(record), reason, aliasDescription: now },
    });
    return { kind: 'drifted', finished };
  }
  const reason = `${failed}; ${WHO[by]} then restored the alias (${describeRouting(outcome.alias)})`;
  const finished = await finish(deps, record, {
    status: 'ROLLED_BACK',
    reason,
    eventKind: 'rolledBack',
    message: `alias restored by ${WHO[by]}: ${describeRouting(outcome.alias)}`,
    data: { ...data, restoredFrom: describeRouting(alias) },
    from: ['FAILED'],
    eventKey,
    notification: { kind: 'rolledBack', ...factsOf(record), reason: `${WHO[by]} restored the alias after a failed rollback` },
  });
  return { kind: 'restored', finished };
}

/**
 * {@link repairFailed} for a FAILED group: each member whose rollback could not finish gets it
 * finished; once no member is FAILED, the group's own ending is recorded (ROLLED_BACK, or DRIFTED
 * when a member's alias was changed by someone else), told once. A member found whole (left
 * FAILED, repaired) leaves the group FAILED, marked repaired.
 */
async function repairFailedGroup(deps: Deps, group: DeploymentRecord, by: Repairer): Promise<{ kind: FailedRepair; finished?: Finished }> {
  const { store, clock } = deps;
  let kind: FailedRepair = 'whole';
  for (const member of await memberRecords(store, group)) {
    if (member.status !== 'FAILED' || member.repairedAt !== undefined) continue;
    await settle(deps, member).catch(() => undefined);
    const repaired = await repairFailed(deps, member, by);
    if (repaired.kind === 'restored' || (repaired.kind === 'drifted' && kind !== 'restored')) kind = repaired.kind;
  }
  const members = await memberRecords(store, group);
  if (members.every((member) => member.status !== 'FAILED')) {
    const finished = await endGroup(deps, group, `${group.reason ?? 'the rollback failed'}; ${WHO[by]} then finished the rollback of every member`, `repaired by ${WHO[by]}`, { from: ['FAILED'], eventKey: `${by}-repair`, data: { repairedBy: by } });
    return { kind: finished.status === 'DRIFTED' ? 'drifted' : 'restored', finished };
  }
  if (members.every((member) => member.status !== 'FAILED' || member.repairedAt !== undefined)) await store.updateDeployment(group.deploymentId, { repairedAt: clock.now() }, { onlyIfStatusIn: ['FAILED'] });
  return { kind };
}
