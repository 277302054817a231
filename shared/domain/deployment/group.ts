import { changeAlias, isOwnState } from './alias';
import { check } from './check';
import type { EngineDeps } from './deps';
import { DeploymentFinishedError, DeploymentRefusedError, LockConflictError } from '../../model/engine-errors';
import { planProvisioned } from './provisioned-concurrency';
import { waitingBehind, whenLocked } from './conflict';
import { event, eventKeys } from './events';
import { factsOf, finish, requireSettled, settle, type Ending, type Finished } from './finish';
import type { DeploymentRecord, DeploymentStatus, EngineState } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { takeGroupLocks } from './group-locks';
import { groupCheckGate, groupFields, groupGate, mostCautious } from './group-gate';
import { checkOrdered, nextStepOrdered } from './group-ordered';
import { isOrdered } from './group-order';
import { describeMembers, memberArtifact, memberCount, memberFacts, memberRecords, memberRefs, memberSpec, memberState, movingMembers, withMember } from './group-members';
import { nextStep } from './next-step';
import { recordDrift, recordNoChange, recordRejected, rollbackFailed } from './outcomes';
import { prepare } from './prepare';
import { preTraffic, requireVersion, runHook } from './pre-traffic';
import { recordPromotion } from './promote';
import { publish } from './publish';
import { reasonFrom } from './reason';
import { loadRecord, OPEN_STATUSES, pendingRecord } from './record';
import { awaitTakeover, leaveToTaker, rollBackRecord, rollback } from './rollback';
import { carriedBy } from './carried';
import { trafficStepsFor } from '../spec/steps';
import { gateOnWebhooks } from './webhooks';

/*
 * The tasks of a function group's execution (docs/engine.md#function-groups). The state machine is
 * the same; each task of a group's execution runs the single-function task on every member's view
 * of the state (group-members.ts) and decides for the group: Prepare locks all members or none,
 * Publish publishes all before anything moves, NextStep moves every member to the same weight,
 * Check judges every member before the group shifts, Promote moves every alias before any member
 * is recorded SUCCEEDED, and Rollback restores every member whatever failed.
 */

/** Whether `state` is a group's execution. */
export function isGroupState(state: EngineState): boolean {
  return state.spec.group !== undefined;
}

/** Prepare for a group: the group's record and each member's, every lock or none, each member's snapshot (a member that cannot be deployed refuses the group). */
export async function prepareGroup(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock' | 'callers'> & Partial<Pick<EngineDeps, 'health' | 'notifier'>>, state: EngineState): Promise<EngineState> {
  const { store, clock } = deps;
  const { deploymentId, spec } = state;
  const now = clock.now();
  const refs = memberRefs(deploymentId, spec);
  // Each record names the wave-run target the group runs in, if any (its lock names, its repairs).
  const record = await store.createDeployment({ ...pendingRecord(state, now), members: refs });
  if (isTerminal(record.status)) throw new DeploymentFinishedError(`deployment ${deploymentId} already ended ${record.status}`);
  // A starter wrote the group's record without its members.
  if (!record.members) await store.updateDeployment(deploymentId, { members: refs });
  const startedAt = record.startedAt ?? now;
  const deadline = record.deadline ?? startedAt + spec.timeout * 1000;
  for (const [index, ref] of refs.entries()) {
    await store.createDeployment({ ...pendingRecord({ ...state, deploymentId: ref.deploymentId, spec: memberSpec(spec, index), artifact: memberArtifact(state, index) }, now), groupId: deploymentId, deadline });
  }
  const ahead = await waitingBehind(deps, (await store.getDeployment(deploymentId)) ?? record, refs);
  if (ahead) await whenLocked(deps, state, new LockConflictError(`a member of group deployment ${deploymentId} has an older deployment queued for it, ${ahead}`, ahead));
  try {
    await takeGroupLocks(deps, deploymentId, refs.map((ref) => ({ ...ref, ...(state.target !== undefined && { target: state.target }) })), deadline, now);
  } catch (error) {
    if (error instanceof LockConflictError) await whenLocked(deps, state, error);
    throw error;
  }

  let out: EngineState = state;
  for (let index = 0; index < refs.length; index += 1) out = withMember(out, index, await prepare(deps, memberState(out, index)));
  await refuseProvisioned(deps, out);
  const aliasExists = (out.members ?? []).some((member) => member.snapshot?.alias);
  await store.updateDeployment(deploymentId, { status: 'RUNNING', queuedBehind: null, startedAt, deadline }, { onlyIfStatusIn: OPEN_STATUSES });
  const members = await memberRecords(store, { members: refs });
  await store.appendEvent(
    event(deploymentId, eventKeys.started(), 'started', startedAt, `group deployment of ${refs.map((ref) => `${ref.functionName}:${ref.alias}`).join(', ')} started by ${state.startedBy} (${state.source})`, {
      members: members.map((member) => ({ deploymentId: member.deploymentId, functionName: member.functionName, alias: member.alias, previousVersion: member.snapshot?.alias?.version ?? null })),
      shift: spec.group?.shift,
      deadline: new Date(deadline).toISOString(),
    }),
  );
  const { failure: _queued, ...rest } = out;
  return { ...rest, startedAt, deadline, trafficSteps: trafficStepsFor(spec, { aliasExists }), stepIndex: 0, weight: 0 };
}

/**
 * A group does not manage provisioned concurrency (its members would have to warm up together,
 * and its promotion move PC over): a member whose alias's version has PC of its own would shift
 * its canary onto cold environments, so the group is refused before anything moves — unless the
 * spec says `provisionedConcurrency: off` (shift without it, knowingly). PC on an alias itself is
 * Lambda's to split by weight, and needs nothing of fledge.
 */
async function refuseProvisioned(deps: Pick<EngineDeps, 'lambda' | 'store'>, state: EngineState): Promise<void> {
  if (state.spec.provisionedConcurrency === 'off') return;
  for (let index = 0; index < memberCount(state); index += 1) {
    const view = memberState(state, index);
    const plan = await planProvisioned(deps, view, await loadRecord(deps.store, view.deploymentId));
    if (plan.total > 0) {
      throw new DeploymentRefusedError(
        `${view.spec.function.name}:${view.spec.alias} serves a version with provisioned concurrency (${plan.total}): a group does not shift provisioned concurrency yet, so its canary would run on cold environments. Set provisionedConcurrency: off to shift it without, or deploy ${view.spec.function.name} on its own; nothing was changed`,
      );
    }
  }
}

/**
 * Publish for a group: every member publishes before any alias moves; one that fails fails the
 * task, and the Rollback restores every member (none has moved: versions already published are
 * left, harmless). A member whose code and configuration are already served does not move and
 * ends NO_CHANGE with the group; the group is unchanged only when every member is.
 */
export async function publishGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'stage'>, state: EngineState): Promise<EngineState> {
  let out = state;
  for (let index = 0; index < memberCount(state); index += 1) out = withMember(out, index, await publish(deps, memberState(out, index)));
  const moving = movingMembers(out);
  const first = out.members?.[moving[0] ?? 0]?.published;
  if (!first) throw new Error('unreachable: a group published no member');
  const published = { ...first, changed: moving.length > 0 };
  if (published.changed) {
    const members = await memberRecords(deps.store, await loadRecord(deps.store, state.deploymentId));
    await deps.store.appendEvent(event(state.deploymentId, eventKeys.published(), 'published', deps.clock.now(), `published ${describeMembers(members.filter((_, index) => moving.includes(index)))}`, { members: memberFacts(members) }));
  }
  return { ...out, published };
}

/** PreTraffic for a group: each moving member's checks (the hooks, webhooks and smoke test are the group's, run on member 0's view). */
export async function preTrafficGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  for (const index of movingMembers(state)) await preTraffic(deps, memberState(state, index));
  return state;
}

/** NextStep for a group: every moving member to the same weight (lockstep), then the same stop for all; an ordered group's member whose turn it is (group-ordered.ts). */
export async function nextStepGroup(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  if (isOrdered(state)) return nextStepOrdered(deps, state);
  await groupGate(deps, state);
  let out = state;
  let first: EngineState | undefined;
  for (const index of movingMembers(state)) {
    const result = await nextStep(deps, memberState(state, index));
    out = withMember(out, index, result);
    first ??= result;
  }
  if (!first) throw new Error('unreachable: a group with no moving member shifts traffic');
  if (first.weight !== undefined && first.weight !== state.weight && first.action !== 'promote') {
    await deps.store.appendEvent(event(state.deploymentId, eventKeys.weight(first.stepIndex ?? 0), 'weight', deps.clock.now(), `${first.weight}% of traffic on the new version of every member`, { percent: first.weight }));
  }
  return { ...out, ...groupFields(first) };
}

/**
 * Check for a group: every moving member is judged (its alarms, its error rate, its evidence, its
 * drift), none shifts on its own. Any member red rolls the whole group back (the member's error
 * propagates); the group waits while any member waits (its bake extended for want of evidence) or
 * asks a person when any does; only when every member's pause ended green does the group move on
 * — `next`, and NextStep moves them all to the next weight together.
 */
export async function checkGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  if (isOrdered(state)) return checkOrdered(deps, state);
  const record = await groupCheckGate(deps, state);
  let out = state;
  let decided: EngineState | undefined;
  for (const index of movingMembers(state)) {
    const result = await check(deps, memberState(state, index), { shift: false });
    out = withMember(out, index, result);
    decided = mostCautious(decided, result);
  }
  if (!decided) throw new Error('unreachable: a group with no moving member is checked');
  const checksPassed = (state.checksPassed ?? 0) + 1;
  if (record.promoteRequested && (decided.action === 'bake' || decided.action === 'next')) return { ...out, ...groupFields(decided), action: 'promote', bake: undefined, checksPassed };
  return { ...out, ...groupFields(decided), checksPassed };
}

/**
 * Promote for a group: the beforePromotion webhooks (once), then every moving member's alias
 * wholly to its new version, then the afterTraffic hook — and only then is any member recorded
 * SUCCEEDED: a failure before that point rolls every member back, none is left promoted alone.
 */
export async function promoteGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  const { store } = deps;
  const group = await loadRecord(store, state.deploymentId);
  const moving = movingMembers(state);
  if (group.status === 'SUCCEEDED') {
    for (const member of await memberRecords(store, group)) await settle(deps, member).catch(() => undefined);
    const finished = await settle(deps, group);
    return { ...state, weight: 100, ...(finished.pending.length > 0 ? { warnings: finished.pending } : {}) };
  }
  const lead = memberState(state, moving[0] ?? 0);
  await gateOnWebhooks(deps, lead, 'beforePromotion', { weight: state.weight ?? 0 }, await loadRecord(store, lead.deploymentId));
  let out = state;
  for (const index of moving) {
    const view = memberState(state, index);
    const member = await loadRecord(store, view.deploymentId);
    const version = requireVersion(view);
    if (member.status === 'SUCCEEDED') continue;
    const promoted = await changeAlias(deps, member, { version, weights: {} }, `promote version ${version}`);
    out = withMember(out, index, { ...view, aliasRevisionId: promoted.revisionId });
  }
  if (state.spec.hooks.afterTraffic) {
    const members = await memberRecords(store, group);
    await runHook(deps, state.spec.hooks.afterTraffic, {
      phase: 'afterTraffic',
      deploymentId: state.deploymentId,
      functionName: state.spec.function.name,
      alias: state.spec.alias,
      newVersion: members[0]?.newVersion ?? null,
      previousVersion: members[0]?.snapshot?.alias?.version ?? null,
      members: memberFacts(members),
    });
  }
  // Every alias is whole on its new version and the hook passed: nothing from here on throws.
  const warnings: string[] = [];
  try {
    await endUnchanged(deps, state);
  } catch (error) {
    warnings.push(`recording the members that did not change (the sweeper records it later): ${(error as Error).message}`);
  }
  for (const index of moving) {
    const view = memberState(out, index);
    try {
      warnings.push(...(await recordPromotion(deps, view, await loadRecord(store, view.deploymentId), requireVersion(view))));
    } catch (error) {
      warnings.push(`recording the promotion of ${view.deploymentId} (the sweeper records it later): ${(error as Error).message}`);
    }
  }
  try {
    const members = await memberRecords(store, group);
    const finished = await finish(deps, group, {
      status: 'SUCCEEDED',
      eventKind: 'promoted',
      message: `promoted every member: ${describeMembers(members)}`,
      data: { members: memberFacts(members) },
      notification: { kind: 'promoted', ...groupFactsOf(group, members), evidence: { version: members[0]?.newVersion ?? '', invocations: 0, minInvocations: state.spec.health.minInvocations, checks: state.checksPassed ?? 0, shortSteps: 0, ...(members[0]?.evidence ?? {}) } },
    });
    warnings.push(...finished.pending);
  } catch (error) {
    warnings.push(`recording the group's promotion (the sweeper records it later): ${(error as Error).message}`);
  }
  return { ...out, weight: 100, ...(warnings.length > 0 ? { warnings } : {}) };
}

/**
 * Rollback for a group — whatever failed, in whichever member: every member is restored (in
 * reverse order), each exactly as a lone deployment's Rollback restores its alias (drift-aware:
 * a member someone else changed is left alone, DRIFTED). Then the group's ending, told once,
 * naming every member.
 */
export async function rollbackGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  const group = await deps.store.getDeployment(state.deploymentId);
  if (!group) return state;
  // Taken over as a whole before its members: none of them is this execution's to restore.
  awaitTakeover(group);
  await endUnchanged(deps, state);
  for (let index = memberCount(state) - 1; index >= 0; index -= 1) await rollback(deps, memberState(state, index));
  await endGroup(deps, group, reasonFrom(state.failure, { approvalPending: state.action === 'approval' }), 'rolled back');
  return state;
}

/** Members that published nothing new (their alias never moves) end NO_CHANGE with their group. */
async function endUnchanged(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, state: EngineState): Promise<void> {
  for (let index = 0; index < memberCount(state); index += 1) {
    if (state.members?.[index]?.published?.changed === false) await recordNoChange(deps, memberState(state, index));
  }
}

/** RecordDrift for a group: a member's alias was changed by someone else. That member is left alone; every other is rolled back. */
export async function recordDriftGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, state: EngineState): Promise<EngineState> {
  const group = await deps.store.getDeployment(state.deploymentId);
  if (!group) return state;
  awaitTakeover(group);
  await endUnchanged(deps, state);
  for (let index = memberCount(state) - 1; index >= 0; index -= 1) {
    const view = memberState(state, index);
    const member = await deps.store.getDeployment(view.deploymentId);
    // The member that drifted: recorded as a lone deployment records drift (touching nothing).
    if (!member) continue;
    if (isTerminal(member.status)) requireSettled(member.deploymentId, await settle(deps, member));
    else if (member.snapshot && (await isDrifted(deps, member))) await recordDrift(deps, view);
    else {
      const reason = `${reasonFrom(state.failure)} (another member of the group drifted)`;
      requireSettled(member.deploymentId, await rollBackRecord(deps, member, reason, { eventMessage: `rolled back: ${reason}`, carried: carriedBy(view) }));
    }
  }
  await endGroup(deps, group, reasonFrom(state.failure), 'stopped');
  return state;
}

async function isDrifted(deps: Pick<EngineDeps, 'lambda'>, member: DeploymentRecord): Promise<boolean> {
  const alias = await deps.lambda.getAlias(member.functionName, member.alias);
  if (!alias) return member.snapshot?.alias !== null;
  return !isOwnState(member, alias);
}

/** RecordNoChange for a group: no member has anything new; each, then the group, ends NO_CHANGE. */
export async function recordNoChangeGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, state: EngineState): Promise<EngineState> {
  for (let index = 0; index < memberCount(state); index += 1) await recordNoChange(deps, memberState(state, index));
  const group = await loadRecord(deps.store, state.deploymentId);
  if (isTerminal(group.status)) requireSettled(group.deploymentId, await settle(deps, group));
  else requireSettled(group.deploymentId, await finish(deps, group, { status: 'NO_CHANGE', eventKind: 'noChange', message: 'nothing to deploy: every member already serves this code and configuration' }));
  return state;
}

/** RecordRejected for a group: refused before anything moved (a member's lock held, its alias split); every member and the group end REJECTED. */
export async function recordRejectedGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, state: EngineState): Promise<EngineState> {
  for (let index = 0; index < memberCount(state); index += 1) await recordRejected(deps, memberState(state, index));
  return recordRejected(deps, state);
}

/** RollbackFailed for a group: each member still open is recorded as a lone deployment's failed rollback is (FAILED keeps its lock); then the group. */
export async function rollbackFailedGroup(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, state: EngineState): Promise<EngineState> {
  const taken = await deps.store.getDeployment(state.deploymentId);
  if (taken) leaveToTaker(taken);
  for (let index = memberCount(state) - 1; index >= 0; index -= 1) await rollbackFailed(deps, memberState(state, index));
  const group = await loadRecord(deps.store, state.deploymentId);
  await endGroup(deps, group, `${reasonFrom(state.failure)}; then the rollback failed (${reasonFrom(state.rollbackFailure)})`, 'rolled back');
  return state;
}

/**
 * Ends the group's record from its members' endings, once every member has ended: FAILED when a
 * member's rollback could not finish (its lock kept until repaired), DRIFTED when someone else
 * changed a member's alias, SUCCEEDED when every member was promoted (a repair found the
 * promotion made), ROLLED_BACK otherwise. Shared by the Rollback task, the safety net and the sweeper.
 */
export async function endGroup(deps: Pick<EngineDeps, 'health' | 'store' | 'notifier' | 'clock'>, group: DeploymentRecord, reason: string, verb: string, options: { from?: readonly DeploymentStatus[]; eventKey?: string; data?: Record<string, unknown> } = {}): Promise<Finished> {
  const members = await memberRecords(deps.store, group);
  const open = members.filter((member) => !isTerminal(member.status));
  if (open.length > 0) throw new DeploymentFinishedError(`group deployment ${group.deploymentId}: members ${open.map((member) => member.deploymentId).join(', ')} have not ended yet`);
  const statuses = new Set(members.map((member) => member.status));
  const facts = groupFactsOf(group, members);
  const described = describeMembers(members);
  const common = { ...(options.from ? { from: options.from } : {}), ...(options.eventKey ? { eventKey: options.eventKey } : {}), data: { members: memberFacts(members), ...options.data } };
  let ending: Ending;
  if (statuses.has('FAILED')) {
    ending = { status: 'FAILED', reason: `${reason}; members: ${described}`, eventKind: 'failed', message: `rollback failed for a member: ${described}`, notification: { kind: 'failed', ...facts, reason: `${reason}; members: ${described}`, aliasDescription: described }, ...common };
  } else if (statuses.has('DRIFTED')) {
    ending = { status: 'DRIFTED', reason: `${reason}; a member's alias was changed by someone else and left alone; members: ${described}`, eventKind: 'drifted', message: `${verb}: ${described}`, notification: { kind: 'drifted', ...facts, reason, aliasDescription: described }, ...common };
  } else if (members.length > 0 && members.every((member) => member.status === 'SUCCEEDED' || member.status === 'NO_CHANGE') && statuses.has('SUCCEEDED')) {
    ending = { status: 'SUCCEEDED', eventKind: 'promoted', message: `promoted every member (${reason}): ${described}`, ...common };
  } else if (members.length > 0 && members.every((member) => member.status === 'REJECTED')) {
    ending = { status: 'REJECTED', reason, eventKind: 'rejected', message: `refused: ${reason}`, notification: { kind: 'rejected', ...facts, reason }, ...common };
  } else {
    ending = { status: 'ROLLED_BACK', reason, eventKind: 'rolledBack', message: `${verb}: ${reason}; every member back as before: ${described}`, notification: { kind: 'rolledBack', ...facts, reason }, ...common };
  }
  const finished = await finish(deps, group, ending);
  requireSettled(group.deploymentId, finished);
  return finished;
}

/** The facts of the group's notifications: the group's, and each member. */
export function groupFactsOf(group: DeploymentRecord, members: readonly DeploymentRecord[]) {
  const lead = members[0];
  return {
    ...factsOf(group),
    ...(lead?.newVersion ? { newVersion: lead.newVersion } : {}),
    ...(lead?.snapshot?.alias ? { previousVersion: lead.snapshot.alias.version } : {}),
    members: memberFacts(members),
  };
}
