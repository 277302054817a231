import type { GroupShift, Seconds, TrafficStep } from '../../model/spec';
import { walkSteps } from './steps';

/** One moment of a group's walk: the weight every member serves on its new version, and what follows. */
export interface GroupMoment {
  /** Percent of each member's traffic on its new version, in the members' order. */
  readonly weights: readonly number[];
  readonly then: 'bake' | 'approval' | 'promote' | 'rollback';
}

/**
 * The weights a lockstep group walks, as its execution does (NextStep moves every moving member
 * to the walk's weight before the group stops; Promote moves them all to 100): every member at the
 * same weight at each moment, rising, ending at 100 — or, when the group fails after `failAt`
 * moments, at 0 for every member (Rollback restores each). An ordered group's: {@link orderedSchedule}.
 */
export function groupSchedule(steps: readonly TrafficStep[], members: number, approvalDefaults: { timeout: Seconds; message?: string }, failAt?: number, shift: GroupShift = 'lockstep'): GroupMoment[] {
  if (shift === 'ordered') return orderedSchedule(steps, members, approvalDefaults, failAt);
  const moments: GroupMoment[] = [];
  const all = (percent: number): number[] => Array.from({ length: members }, () => percent);
  let index = 0;
  let weight = 0;
  for (;;) {
    if (failAt !== undefined && moments.length >= failAt) {
      moments.push({ weights: all(0), then: 'rollback' });
      return moments;
    }
    const walk = walkSteps(steps, index, approvalDefaults);
    if (walk.stop.kind === 'promote') {
      moments.push({ weights: all(100), then: 'promote' });
      return moments;
    }
    if (walk.weight) weight = walk.weight.percent;
    moments.push({ weights: all(weight), then: walk.stop.kind });
    index = walk.nextIndex;
  }
}

/** Where member `index`'s walk starts in an ordered group's step count (its events and approvals keyed from there). */
export function turnStart(steps: readonly TrafficStep[], index: number): number {
  return index * steps.length;
}

/**
 * Member `index`'s walk placed at its offset: zero-length pauses before it (walking starts at the
 * offset, so they are never walked), the strategy's steps from there.
 */
export function stepsOfTurn(steps: readonly TrafficStep[], index: number): TrafficStep[] {
  return [...Array.from({ length: turnStart(steps, index) }, (): TrafficStep => ({ type: 'pause', duration: 0 })), ...steps];
}

/**
 * The weights an ordered group walks, as its execution does (group-ordered.ts): member i walks its
 * steps at its offset while those before it are at 100% and those after it at 0%; its walk's end
 * moves it to 100% and the next member walks on in the same NextStep (no stop between); the last
 * member's end is the promotion, every member at 100 — or, when the group fails after `failAt`
 * moments, every member at 0.
 */
export function orderedSchedule(steps: readonly TrafficStep[], members: number, approvalDefaults: { timeout: Seconds; message?: string }, failAt?: number): GroupMoment[] {
  const moments: GroupMoment[] = [];
  for (let member = 0; member < members; member += 1) {
    const walking = stepsOfTurn(steps, member);
    let index = turnStart(steps, member);
    let weight = 0;
    for (;;) {
      if (failAt !== undefined && moments.length >= failAt) {
        moments.push({ weights: Array.from({ length: members }, () => 0), then: 'rollback' });
        return moments;
      }
      const walk = walkSteps(walking, index, approvalDefaults);
      if (walk.stop.kind === 'promote') break;
      if (walk.weight) weight = walk.weight.percent;
      moments.push({ weights: Array.from({ length: members }, (_, i) => (i < member ? 100 : i === member ? weight : 0)), then: walk.stop.kind });
      index = walk.nextIndex;
    }
  }
  moments.push({ weights: Array.from({ length: members }, () => 100), then: 'promote' });
  return moments;
}
