import { changeAlias } from './alias';
import { check } from './check';
import type { EngineDeps } from './deps';
import { event, eventKeys } from './events';
import type { EngineState } from '../../model/deployment';
import { groupCheckGate, groupFields, groupGate, mostCautious } from './group-gate';
import { memberCount, memberState, withMember } from './group-members';
import { currentTurn, doneMembers, nextTurn, orderedMemberState, turnStart } from './group-order';
import { nextStep } from './next-step';
import { requireVersion } from './pre-traffic';
import { OPEN_STATUSES } from './record';
import { DeploymentFinishedError } from '../../model/engine-errors';

/*
 * The NextStep and Check of an ordered group (`group.shift: ordered`, group-order.ts). Prepare,
 * Publish, PreTraffic, Promote and Rollback are the lockstep group's: Promote moves every alias
 * wholly to its new version (those whose turn ended are there already) before any member is
 * recorded SUCCEEDED, and Rollback restores every member from its snapshot — those at 100% too.
 */

/**
 * NextStep for an ordered group: the member whose turn it is walks to its next stop (a lone
 * deployment's NextStep on its view). When its walk ends and a later member still moves, its
 * alias takes all the traffic — not yet recorded promoted: that waits for the last member — and
 * the next member's turn begins in the same task, walking to its first stop. The last member's
 * walk ending returns `promote`: Promote moves it (and confirms the others) as for lockstep.
 */
export async function nextStepOrdered(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  await groupGate(deps, state);
  const steps = state.trafficSteps ?? [];
  let turn = currentTurn(state);
  if (turn === undefined) throw new Error('unreachable: an ordered group with no moving member shifts traffic');
  // The first NextStep: Prepare set the walk at 0; the first moving member's walk starts at its offset.
  let out: EngineState = state.turn === undefined ? { ...state, turn, stepIndex: turnStart(steps, turn), weight: 0 } : state;
  for (;;) {
    const view = orderedMemberState(out, turn, turn);
    // A member with no alias yet has nothing to split against: its alias is created with all the traffic (as a lone deployment's first one).
    const result = view.snapshot?.alias ? await nextStep(deps, view) : { ...view, action: 'promote' as const, stepIndex: turnStart(steps, turn + 1) };
    const before = out.weight ?? 0;
    out = withMember(out, turn, result);
    if (result.action !== 'promote') {
      if (result.weight !== undefined && result.weight !== before) await weightEvent(deps, out, turn, result);
      return { ...out, ...groupFields(result), turn };
    }
    const following = nextTurn(out, turn);
    if (following === undefined) return { ...out, ...groupFields(result), turn };
    out = await endTurn(deps, out, turn, following);
    turn = following;
    out = { ...out, turn, stepIndex: turnStart(steps, turn), weight: 0, bake: undefined, approval: undefined };
  }
}

/** The group's history: which member is at which weight. */
async function weightEvent(deps: Pick<EngineDeps, 'store' | 'clock'>, state: EngineState, turn: number, result: EngineState): Promise<void> {
  const member = state.spec.group?.members[turn];
  const name = `${member?.function.name ?? ''}:${member?.alias ?? ''}`;
  await deps.store.appendEvent(
    event(state.deploymentId, eventKeys.weight(result.stepIndex ?? 0), 'weight', deps.clock.now(), `${name}: ${result.weight}% of traffic on its new version (member ${turn + 1} of ${memberCount(state)}, in order)`, {
      percent: result.weight,
      member: turn,
      functionName: member?.function.name,
      alias: member?.alias,
    }),
  );
}

/**
 * The end of member `turn`'s walk while a later member still moves: its alias wholly to its new
 * version (guarded and write-ahead, as every change), one `weight` event at 100% on its record and
 * the group's. Safe to retry: the alias change recognises its own earlier success, the event keys
 * are the turn's.
 */
async function endTurn(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock'>, state: EngineState, turn: number, following: number): Promise<EngineState> {
  const { store, clock } = deps;
  const view = memberState(state, turn);
  const version = requireVersion(view);
  // Marked before the alias moves: all traffic on this member is then its turn's end, not the group's promotion (the alarm abort still acts).
  const marked = await store.updateDeployment(view.deploymentId, { turnEndedAt: clock.now() }, { onlyIfStatusIn: OPEN_STATUSES, unlessAbandoned: true });
  if (!marked) throw new DeploymentFinishedError(`deployment ${view.deploymentId} has ended or is being rolled back: its turn does not end`);
  const member = marked;
  const moved = await changeAlias(deps, member, { version, weights: {} }, `all traffic on version ${version}: its turn in the ordered group ended`);
  const previousVersion = member.snapshot?.alias?.version ?? null;
  const next = state.spec.group?.members[following];
  const now = clock.now();
  await store.appendEvent(event(member.deploymentId, eventKeys.turnEnded(turn), 'weight', now, `100% of traffic on version ${version}: its turn in the group ended (recorded promoted once every member is)`, { percent: 100, version, previousVersion }));
  await store.appendEvent(
    event(state.deploymentId, eventKeys.turnEnded(turn), 'weight', now, `${member.functionName}:${member.alias}: 100% of traffic on version ${version}; next in order: ${next?.function.name ?? ''}:${next?.alias ?? ''}`, {
      percent: 100,
      member: turn,
      functionName: member.functionName,
      alias: member.alias,
      version,
    }),
  );
  return withMember(state, turn, { ...view, aliasRevisionId: moved.revisionId });
}

/**
 * Check for an ordered group: every member with traffic is judged — those whose turn ended (at
 * 100%) and the one walking — none shifts on its own. Any red rolls every member back (those at
 * 100% too); the most cautious verdict decides whether the group bakes on, asks a person or moves
 * on, and the walking member's step and weight stay the group's. `next` → NextStep walks on.
 */
export async function checkOrdered(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  const record = await groupCheckGate(deps, state);
  const turn = currentTurn(state);
  if (turn === undefined) throw new Error('unreachable: an ordered group with no moving member is checked');
  let out = state;
  let decided: EngineState | undefined;
  for (const index of [...doneMembers(state, turn), turn]) {
    const result = await check(deps, orderedMemberState(state, index, turn), { shift: false });
    out = withMember(out, index, result);
    decided = mostCautious(decided, result);
  }
  const walk = { stepIndex: state.stepIndex, weight: state.weight, turn };
  if (!decided) throw new Error('unreachable: no member was checked');
  const checksPassed = (state.checksPassed ?? 0) + 1;
  if (record.promoteRequested && (decided.action === 'bake' || decided.action === 'next')) return { ...out, ...groupFields(decided), ...walk, action: 'promote', bake: undefined, checksPassed };
  return { ...out, ...groupFields(decided), ...walk, checksPassed };
}
