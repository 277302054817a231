import { expandTrafficSteps } from './traffic';
import type { DeploymentSpec, Seconds, TrafficStep } from '../../model/spec';

/**
 * The traffic steps for a spec, ending with `setWeight 100`: the planner's expansion, so the plan
 * a user sees is the walk the engine makes. With no alias to shift from (a new function or a new
 * alias) there is nothing to split against: straight to 100%.
 */
export function trafficStepsFor(spec: DeploymentSpec, options: { aliasExists: boolean }): TrafficStep[] {
  if (!options.aliasExists) return [{ type: 'setWeight', percent: 100 }];
  return expandTrafficSteps(spec.strategy);
}

/** Where walking the steps stops: the next thing the state machine has to do. */
export type StepStop =
  | { readonly kind: 'bake'; readonly duration: Seconds }
  | { readonly kind: 'approval'; readonly timeout: Seconds; readonly message?: string; readonly stepIndex: number }
  | { readonly kind: 'promote' };

/** Outcome of {@link walkSteps}. */
export interface StepWalk {
  /** Weight to set before stopping (the last of consecutive setWeights), if any. */
  readonly weight?: { readonly percent: number; readonly stepIndex: number };
  readonly stop: StepStop;
  /** Index of the first step not yet walked. */
  readonly nextIndex: number;
}

/**
 * Walks the steps from `fromIndex`: consecutive `setWeight`s collapse into one alias update,
 * a zero-length pause is skipped, and `setWeight 100` anywhere means promote (the alias moves
 * wholly to the new version with routing cleared, which only Promote does).
 */
export function walkSteps(steps: readonly TrafficStep[], fromIndex: number, approvalDefaults: { timeout: Seconds; message?: string }): StepWalk {
  let weight: StepWalk['weight'];
  for (let index = fromIndex; index < steps.length; index += 1) {
    const step = steps[index]!;
    switch (step.type) {
      case 'setWeight':
        if (step.percent >= 100) return { stop: { kind: 'promote' }, nextIndex: steps.length };
        weight = { percent: step.percent, stepIndex: index };
        break;
      case 'pause':
        if (step.duration > 0) return { weight, stop: { kind: 'bake', duration: step.duration }, nextIndex: index + 1 };
        break;
      case 'approval': {
        const message = step.message ?? approvalDefaults.message;
        return {
          weight,
          stop: { kind: 'approval', timeout: step.timeout > 0 ? step.timeout : approvalDefaults.timeout, stepIndex: index, ...(message === undefined ? {} : { message }) },
          nextIndex: index + 1,
        };
      }
    }
  }
  return { weight, stop: { kind: 'promote' }, nextIndex: steps.length };
}

/**
 * Whether walking `steps` ever leaves the alias split between two versions: a weight is applied
 * before a pause or an approval. Consecutive weights ending in 100% are a promotion, not a split.
 */
export function splitsTraffic(steps: readonly TrafficStep[], approvalDefaults: { timeout: Seconds; message?: string }): boolean {
  let index = 0;
  while (index < steps.length) {
    const walk = walkSteps(steps, index, approvalDefaults);
    if (walk.weight && walk.stop.kind !== 'promote') return true;
    if (walk.stop.kind === 'promote' || walk.nextIndex <= index) return false;
    index = walk.nextIndex;
  }
  return false;
}
