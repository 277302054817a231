import type { TrafficStep } from '../../model/spec';
import type { PlanCost } from './model';

/*
 * The cost model of one deployment. It mirrors the shape of state-machines/deployment.asl.yml and must
 * change with it (a test compares these counts with a real execution once the state machine exists):
 *
 *   Prepare → Publish → PublishedChoice → PreTraffic                       4 states, once
 *   NextStep → Route                                                       2 states, per NextStep run
 *     NextStep applies setWeights up to the next pause/approval/end. It runs once before the
 *     first pause and once after each approval (approvals + 1 times): a pause's last check
 *     applies the next weight itself (check-then-shift); the final move to 100% is Promote's.
 *     A group's Check only judges: each of its pauses that ends green adds a NextStep run. An
 *     ordered group walks the steps once per member (a member's walk ending moves the next
 *     member on within the same NextStep run).
 *   Bake (Wait) → Check → AfterCheck                                       3 states, per health check
 *     checks per pause = ceil(pause / checkInterval); a weight step with one check costs
 *     3 states and 1 task invocation.
 *   RequestApproval                                                        1 state, per approval
 *     (a pause short of evidence may add extension checks, and an approval: see estimateCost)
 *   Promote → AfterPromote → Succeeded                                     3 states, once
 *   with finalBake: Promote → AfterPromote, then the final bake's checks   2 states + 3 per check
 *     (Bake → Check → AfterCheck), then the Promote → AfterPromote → Succeeded above
 *
 * fledge's Lambda tasks: Prepare, Publish, PreTraffic, each NextStep run, each Check, each
 * RequestApproval, Promote. The user's functions: the smoke test (if any) and each hook.
 */

/** Published us-east-1 prices, and what one fledge task invocation is assumed to use. */
export const PRICES = {
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  stateTransition: 0.025 / 1_000,
  /** Lambda, per request ($0.20 per million). */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda, per GB-second (x86). */
  lambdaGbSecond: 0.0000166667,
  /** Assumed memory of a fledge task function, in GB (256 MB). */
  taskMemoryGb: 0.25,
  /** Assumed duration of a fledge task invocation, in seconds (200 ms). */
  taskSeconds: 0.2,
} as const;

/** What the cost depends on. */
export interface CostInputs {
  readonly trafficSteps: readonly TrafficStep[];
  readonly checkInterval: number;
  readonly smokeTest: boolean;
  readonly hooks: number;
  /** The spec's `finalBake` (seconds), watched with a check every `checkInterval` after all traffic moved. */
  readonly finalBake?: number;
  /** A group: its Check only judges, so each pause that ends green is followed by a NextStep run (group.ts). */
  readonly group?: boolean;
}

/**
 * Counts the state transitions and invocations of one successful run (no retries, approvals granted)
 * and prices them. User invocations are counted but not priced: their cost depends on the user's function.
 * `shortfall` adds what pauses short of evidence cost: their extension checks, and the approvals
 * they ask for.
 */
export function estimateCost(inputs: CostInputs, shortfall: { readonly extensionChecks: number; readonly approvals: number } = { extensionChecks: 0, approvals: 0 }): PlanCost {
  const pauses = inputs.trafficSteps.filter((step) => step.type === 'pause');
  const approvalSteps = inputs.trafficSteps.filter((step) => step.type === 'approval').length;
  const finalChecks = inputs.finalBake === undefined ? 0 : healthChecksFor(inputs.finalBake, inputs.checkInterval);
  const healthChecks = pauses.reduce((sum, pause) => sum + healthChecksFor(pause.duration, inputs.checkInterval), 0) + finalChecks + shortfall.extensionChecks;
  // The Promote that starts a final bake comes back for the success: one more Promote and AfterPromote.
  const promotes = inputs.finalBake === undefined ? 1 : 2;
  // Every approval — a step, or a pause short of evidence that asks a person — is followed by a
  // NextStep run; a pause that ends otherwise shifts in its last Check.
  const approvals = approvalSteps + shortfall.approvals;
  // A group's pause ends in `next` and a NextStep run, unless it asked a person (counted above).
  const groupShifts = inputs.group === true ? Math.max(0, pauses.filter((pause) => pause.duration > 0).length - shortfall.approvals) : 0;
  const nextStepRuns = approvals + 1 + groupShifts;

  const stateTransitions = 4 + 2 * nextStepRuns + 3 * healthChecks + approvals + 2 * promotes + 1;
  const lambdaInvocations = 3 + nextStepRuns + healthChecks + approvals + promotes;
  const userInvocations = (inputs.smokeTest ? 1 : 0) + inputs.hooks;
  const usd =
    stateTransitions * PRICES.stateTransition +
    lambdaInvocations * (PRICES.lambdaRequest + PRICES.taskMemoryGb * PRICES.taskSeconds * PRICES.lambdaGbSecond);
  return { stateTransitions, lambdaInvocations, userInvocations, healthChecks, usd };
}

/** Health checks made during one pause: one per interval, the last at the pause's end. */
export function healthChecksFor(pause: number, checkInterval: number): number {
  return Math.ceil(pause / checkInterval);
}
