import type { HealthSpec, InsufficientDataPolicy, Seconds, StrategySpec, TrafficStep } from '../../model/spec';
import { TIMEOUT_MARGIN } from './rules';
import { LIMITS } from './schema';

/*
 * The evidence rule (docs/spec.md#evidence): a pause moves traffic on only once the new version
 * has served `minInvocations` through the alias during it. Too little evidence is never health,
 * so the defaults demand evidence; a spec opts out only by writing `minInvocations: 0`.
 */

/** Whether the strategy has an approval step: someone is expected to answer approval requests. */
export function hasApprovalSteps(strategy: StrategySpec): boolean {
  return strategy.kind === 'canary' && strategy.steps.some((step) => step.type === 'approval');
}

/**
 * The evidence a pause needs when the spec does not say: the error rate's own floor when it has
 * one (a pause that never reached it was never judged), else {@link LIMITS.defaultMinInvocations}.
 */
export function defaultMinInvocations(errorRate: HealthSpec['errorRate']): number {
  return errorRate?.minInvocations ?? LIMITS.defaultMinInvocations;
}

/**
 * The policy for a pause that ends with too little evidence. Default: extend, then ask a person
 * when the strategy has approval steps (someone answers them), else roll back.
 */
export function insufficientDataPolicy(written: { readonly onInsufficientData?: InsufficientDataPolicy['action']; readonly maxExtension?: Seconds }, strategy: StrategySpec): InsufficientDataPolicy {
  switch (written.onInsufficientData ?? 'extend') {
    case 'pause':
      return { action: 'pause' };
    case 'rollback':
      return { action: 'rollback' };
    case 'extend':
      return { action: 'extend', ...(written.maxExtension !== undefined && { maxExtension: written.maxExtension }), then: hasApprovalSteps(strategy) ? 'pause' : 'rollback' };
  }
}

/** The evidence rule a deployment follows. */
export interface EvidenceRule {
  readonly minInvocations: number;
  readonly onInsufficientData: InsufficientDataPolicy;
}

/**
 * The evidence rule of a normalised spec's health, with the defaults for what it leaves out. A
 * spec normalised before these fields existed (the input of an execution an older fledge
 * started) therefore gets the defaults, never "no evidence needed".
 */
export function evidenceRuleOf(health: Partial<Pick<HealthSpec, 'errorRate' | 'minInvocations' | 'onInsufficientData'>>, strategy: StrategySpec): EvidenceRule {
  return {
    minInvocations: health.minInvocations ?? defaultMinInvocations(health.errorRate),
    onInsufficientData: health.onInsufficientData ?? insufficientDataPolicy({}, strategy),
  };
}

/** Seconds the walk may still wait from `fromIndex` on: its pauses and its approvals' timeouts. */
export function waitsFrom(steps: readonly TrafficStep[], fromIndex: number): Seconds {
  return steps.slice(fromIndex).reduce((sum, step) => sum + (step.type === 'pause' ? step.duration : step.type === 'approval' ? step.timeout : 0), 0);
}

/**
 * How long a pause that ends short of evidence may be extended, in whole seconds: the policy's
 * `maxExtension` (default: as long as the pause itself), within what the deployment's timeout
 * leaves once the rest of the walk (`laterWaits`: its pauses and approval timeouts) and
 * {@link TIMEOUT_MARGIN} are set aside, so an extension never makes a later step miss the
 * deadline. 0 when the policy does not extend. `secondsLeft` undefined: no deadline.
 */
export function extensionAllowance(input: { readonly policy: InsufficientDataPolicy; readonly pause: Seconds; readonly secondsLeft?: number; readonly laterWaits: Seconds }): Seconds {
  if (input.policy.action !== 'extend') return 0;
  const wanted = input.policy.maxExtension ?? input.pause;
  if (input.secondsLeft === undefined) return wanted;
  return Math.max(0, Math.min(wanted, Math.floor(input.secondsLeft - input.laterWaits - TIMEOUT_MARGIN)));
}
