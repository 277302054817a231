import type { EngineState } from '../../model/deployment';
import { stepsOfTurn } from '../spec/group-schedule';
import { memberState, movingMembers } from './group-members';

/*
 * An ordered group (`group.shift: ordered`, docs/engine.md#function-groups) walks its members one
 * after another: the member whose turn it is (`state.turn`) walks the whole strategy — every
 * weight, bake and check — to 100% while the later members stay at 0%; then the next member's
 * turn begins. The group's `stepIndex` counts across the walks: member i's walk starts at
 * i × the walk's length, so each member's weight and check events, and each approval id, are
 * unique across the whole deployment.
 */

export { stepsOfTurn, turnStart } from '../spec/group-schedule';

/** Whether `state` is an ordered group's execution. */
export function isOrdered(state: Pick<EngineState, 'spec'>): boolean {
  return state.spec.group?.shift === 'ordered';
}

/** The member whose turn it is: the state's, or the first that moves. */
export function currentTurn(state: EngineState): number | undefined {
  return state.turn ?? movingMembers(state)[0];
}

/** The moving member after `index`, if any. */
export function nextTurn(state: EngineState, index: number): number | undefined {
  return movingMembers(state).find((candidate) => candidate > index);
}

/** The moving members whose turn has passed: each at 100% on its new version. */
export function doneMembers(state: EngineState, turn: number): number[] {
  return movingMembers(state).filter((index) => index < turn);
}

/**
 * The state as a lone deployment of member `index` sees it in an ordered group: its own walk at its
 * offset, and — for a member whose turn has passed — all traffic on its new version and its walk
 * ended, so its check judges it at 100% and never moves it.
 */
export function orderedMemberState(state: EngineState, index: number, turn: number): EngineState {
  const view = memberState(state, index);
  const steps = state.trafficSteps ?? [];
  if (index < turn) return { ...view, trafficSteps: stepsOfTurn(steps, index), weight: 100 };
  return { ...view, trafficSteps: stepsOfTurn(steps, index) };
}
