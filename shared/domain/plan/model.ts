import type { PlannedWaves } from './waves';
import type { Seconds, TrafficStep } from '../../model/spec';
import type { WebhookPoint } from '../../model/webhooks';

/** One thing a deployment does, in the order the engine does it. */
export type PlanAction =
  | { readonly kind: 'prepare' }
  | { readonly kind: 'createFunction' }
  | { readonly kind: 'updateConfiguration' }
  | { readonly kind: 'updateCode' }
  | { readonly kind: 'publishVersion' }
  /** Adoption: the version another tool published, taken as it is (no code, configuration or publish). */
  | { readonly kind: 'adoptVersion' }
  | { readonly kind: 'smokeTest' }
  | { readonly kind: 'hook'; readonly phase: 'beforeTraffic' | 'afterTraffic'; readonly functionName: string }
  /** `member`: an ordered group's member whose turn it is (its index in the group); at 100 its turn ends, promoted with the group. */
  | { readonly kind: 'setWeight'; readonly percent: number; readonly member?: number }
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

/** How far a pause may stretch when it ends short of evidence (`health.minInvocations`, `health.onInsufficientData`). */
export interface PlannedShortfall {
  /** Index in {@link Plan.actions} of the bake. */
  readonly action: number;
  /** Invocations of the new version the pause needs. */
  readonly minInvocations: number;
  /** The longest extension the pause may get, within the deployment's timeout (0: none). */
  readonly extension: Seconds;
  /** Health checks the extension adds at most. */
  readonly checks: number;
  /** Still short after the extension: ask a person (an approval), or roll back. */
  readonly then: 'pause' | 'rollback';
}

/** A webhook of the spec and how often the planned path calls it. */
export interface PlannedWebhook {
  readonly point: WebhookPoint;
  readonly name: string;
  /** `host[:port]` of its URL (never the path or query, which may carry a token). */
  readonly host: string;
  readonly timeout: Seconds;
  readonly retries: number;
  /** Calls on the planned path, retries aside (onRollback: 0, it is called only on a rollback). */
  readonly calls: number;
}

export interface Plan {
  /** Each target's deployment, when the spec has targets (the waves are in `waves`). */
  readonly actions: readonly PlannedAction[];
  /** The spec's targets in waves, with the whole run's timeline and cost; absent without targets. */
  readonly waves?: PlannedWaves;
  /** The spec's webhooks, in the order the deployment reaches their points; absent when it has none. */
  readonly webhooks?: readonly PlannedWebhook[];
  /** The traffic steps the engine walks, ending with setWeight 100 (or just setWeight 100). */
  readonly trafficSteps: readonly TrafficStep[];
  /** Lower bound of the wall time: the sum of bakes (approvals counted as instant). */
  readonly minimumDuration: Seconds;
  /** The path on which every pause has its evidence on time: exactly what such a run costs. */
  readonly cost: PlanCost;
  /**
   * The evidence each pause needs and the worst case should every one fall short (no traffic):
   * each extended to its limit and, where the spec then asks a person, approved.
   */
  readonly evidence: {
    readonly minInvocations: number;
    readonly shortfalls: readonly PlannedShortfall[];
    readonly worstCase: { readonly duration: Seconds; readonly cost: PlanCost };
  };
}
