import type { ErrorCounts, MinuteCounts } from '../../ports/health-signals';
import { formatDuration } from '../spec/duration';
import type { InsufficientDataPolicy, TrafficStep } from '../../model/spec';
import { evidenceRuleOf, extensionAllowance, waitsFrom } from '../spec/evidence';
import type { BakeState, EngineState, PromotionEvidence } from '../../model/deployment';

/*
 * Evidence: the new version's invocations through the alias, counted by the health checks. A
 * pause moves traffic on only with the evidence the spec requires (docs/engine.md#evidence).
 */

const MINUTE = 60_000;

/**
 * Sums the minutes of `series` from the one `since` falls in: CloudWatch cannot split a minute,
 * so that minute counts whole (with Lambda's metrics, invocations are stamped with their minute).
 */
export function countsSince(series: readonly MinuteCounts[], since: number): ErrorCounts {
  const from = Math.floor(since / MINUTE) * MINUTE;
  let errors = 0;
  let invocations = 0;
  for (const minute of series) {
    if (minute.minute < from) continue;
    errors += minute.errors;
    invocations += minute.invocations;
  }
  return { errors, invocations };
}

/** What the Check does about a pause that ended short of evidence. */
export type InsufficientDataStep =
  /** Check again one interval later: the bake's end moved. */
  | { readonly kind: 'extend'; readonly bake: BakeState }
  /** Ask a person (an approval request saying what is missing). */
  | { readonly kind: 'pause' }
  | { readonly kind: 'rollback' };

/**
 * Applies the spec's policy to a pause that ended short of evidence. `extend` moves the bake's
 * end one check interval on, up to the extension allowed when the pause first fell short (the
 * policy's `maxExtension`, within what the deadline leaves after the rest of the walk); once
 * that is used up, the policy's `then`.
 */
export function onInsufficientData(input: {
  readonly policy: InsufficientDataPolicy;
  readonly bake: BakeState;
  readonly now: number;
  readonly deadline?: number;
  /** The steps still to walk after this pause. */
  readonly laterSteps: readonly TrafficStep[];
}): InsufficientDataStep {
  const { policy, bake, now, deadline, laterSteps } = input;
  if (policy.action !== 'extend') return { kind: policy.action };
  const planned = bake.plannedUntil ?? bake.until;
  const allowance = extensionAllowance({
    policy,
    pause: Math.round((planned - bake.startedAt) / 1000),
    laterWaits: waitsFrom(laterSteps, 0),
    ...(deadline === undefined ? {} : { secondsLeft: (deadline - Math.max(now, planned)) / 1000 }),
  });
  const limit = bake.extensionLimit ?? planned + allowance * 1000;
  if (bake.until >= limit) return { kind: policy.then };
  const until = Math.min(bake.until + bake.checkInterval, limit);
  return { kind: 'extend', bake: { ...bake, checks: bake.checks + 1, until, nextCheckAt: new Date(until).toISOString(), plannedUntil: planned, extensionLimit: limit } };
}

/** `in 10m at 10%, 5m of it an extension`: the span a pause's evidence was gathered over. */
export function describeSpan(bake: BakeState, now: number, weight: number): string {
  const extended = bake.plannedUntil === undefined ? 0 : Math.max(0, Math.min(now, bake.until) - bake.plannedUntil);
  return `in ${formatDuration(Math.max(0, Math.round((now - bake.startedAt) / 1000)))} at ${weight}%${extended > 0 ? ` (${formatDuration(Math.round(extended / 1000))} of it an extension)` : ''}`;
}

/** What a promotion rested on: the invocations the checks saw, what each pause required, the checks made. */
export function promotionEvidence(state: Pick<EngineState, 'evidence' | 'checksPassed' | 'spec'>, version: string): PromotionEvidence {
  const seen = state.evidence?.version === version ? state.evidence : undefined;
  return {
    version,
    invocations: seen?.invocations ?? 0,
    minInvocations: evidenceRuleOf(state.spec.health, state.spec.strategy).minInvocations,
    checks: state.checksPassed ?? 0,
    shortSteps: seen?.shortSteps ?? 0,
  };
}
