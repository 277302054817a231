import type { Seconds, TrafficStep } from '../../model/spec';
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
 * moments, at 0 for every member (Rollback restores each).
 */
export function groupSchedule(steps: readonly TrafficStep[], members: number, approvalDefaults: { timeout: Seconds; message?: string }, failAt?: number): GroupMoment[] {
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
