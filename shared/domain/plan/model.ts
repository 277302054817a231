import type { Seconds, TrafficStep } from '../spec/model';

/** One thing a deployment does, in the order the engine does it. */
export type PlanAction =
  | { readonly kind: 'prepare' }
  | { readonly kind: 'createFunction' }
  | { readonly kind: 'updateConfiguration' }
  | { readonly kind: 'updateCode' }
  | { readonly kind: 'publishVersion' }
  | { readonly kind: 'smokeTest' }
  | { readonly kind: 'hook'; readonly phase: 'beforeTraffic' | 'afterTraffic'; readonly functionName: string }
  | { readonly kind: 'setWeight'; readonly percent: number }
  | { readonly kind: 'bake'; readonly duration: Seconds; readonly checkInterval: Seconds; readonly checks: number }
  | { readonly kind: 'approval'; readonly timeout: Seconds; readonly message?: string }
  | { readonly kind: 'promote' }
  | { readonly kind: 'cleanup'; readonly keepVersions: number };

export interface PlannedAction {
  /** Earliest start, seconds after the deployment starts. */
  readonly startsAt: Seconds;
  /** Minimum duration (a bake's length; 0 for an instant action; 0 for an approval, which may take up to its timeout). */
  readonly duration: Seconds;
  readonly action: PlanAction;
  /** Percentage of traffic on the new version once this action is done. */
  readonly trafficAfter: number;
}

/** What running the plan costs, counted the way AWS bills it. */
export interface PlanCost {
  /** Step Functions state transitions (states entered), assuming no retries and approvals granted. */
  readonly stateTransitions: number;
  /** Invocations of fledge's own task functions. */
  readonly lambdaInvocations: number;
  /** Invocations of the user's functions (smoke test, hooks). */
  readonly userInvocations: number;
  /** Health checks made while baking. */
  readonly healthChecks: number;
  /** US dollars at published us-east-1 prices. */
  readonly usd: number;
}

export interface Plan {
  readonly actions: readonly PlannedAction[];
  /** The traffic steps the engine walks, ending with setWeight 100 (or just setWeight 100). */
  readonly trafficSteps: readonly TrafficStep[];
  /** Lower bound of the wall time: the sum of bakes (approvals counted as instant). */
  readonly minimumDuration: Seconds;
  readonly cost: PlanCost;
}
