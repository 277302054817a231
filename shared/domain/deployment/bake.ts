import type { AlarmStatus, ErrorCounts } from '../../ports/health-signals';
import type { BakeState, DeploymentRecord } from '../../model/deployment';

/** Starts a bake of `durationSeconds` at `now` with checks every `checkIntervalSeconds`. */
export function startBake(now: number, durationSeconds: number, checkIntervalSeconds: number): BakeState {
  // The whole schedule is in whole milliseconds: nextCheckAt travels as an ISO string, and from a
  // fractional start (a simulated clock's now) the check times would miss the end — never reaching
  // it, or adding a check 1 ms before it.
  const startedAt = Math.ceil(now);
  const until = startedAt + durationSeconds * 1000;
  const checkInterval = Math.max(1, checkIntervalSeconds) * 1000;
  return { startedAt, until, checkInterval, nextCheckAt: new Date(Math.min(startedAt + checkInterval, until)).toISOString(), checks: 0 };
}

/**
 * The bake after one more check. The next check time is derived from the scheduled one, not
 * from now, so the latency of each check does not push the bake's end out.
 */
export function advanceBake(bake: BakeState): BakeState {
  const scheduled = Date.parse(bake.nextCheckAt);
  return { ...bake, checks: bake.checks + 1, nextCheckAt: new Date(Math.min(scheduled + bake.checkInterval, bake.until)).toISOString() };
}

/** The new version's error rate measured at a check, with the spec's limits. */
export interface MeasuredErrorRate extends ErrorCounts {
  readonly version: string;
  readonly thresholdPercent: number;
  readonly minInvocations: number;
}

/** Percent of the invocations that errored; 0 without invocations. */
export function errorRatePercent(counts: ErrorCounts): number {
  return counts.invocations > 0 ? (100 * counts.errors) / counts.invocations : 0;
}

/**
 * Why the measured error rate fails the check, or undefined when it does not: the same rule as
 * fledge's alarm (below the minimum number of invocations the rate is noise, not a verdict).
 * `over` names the span measured when it is not the window since the previous check.
 */
export function errorRateFailure(measured: MeasuredErrorRate, over?: string): string | undefined {
  if (measured.invocations < measured.minInvocations) return undefined;
  const rate = errorRatePercent(measured);
  if (!(rate > measured.thresholdPercent)) return undefined;
  return `error rate of version ${measured.version}${over ? ` ${over}` : ''} is ${Number(rate.toFixed(2))}% (${measured.errors} error${measured.errors === 1 ? '' : 's'} in ${measured.invocations} invocations), above ${measured.thresholdPercent}%`;
}

/** The new version's invocations through the alias during the current pause, and what the spec requires of it. */
export interface StepEvidence {
  readonly version: string;
  readonly invocations: number;
  readonly required: number;
}

/** Whether the pause has its evidence. */
export function hasEvidence(evidence: StepEvidence): boolean {
  return evidence.invocations >= evidence.required;
}

/** `version 3 got 2 of 10 required invocations`. */
export function describeShortfall(evidence: StepEvidence): string {
  return `version ${evidence.version} got ${evidence.invocations} of ${evidence.required} required invocation${evidence.required === 1 ? '' : 's'}`;
}

/** What a health check concludes. */
export type CheckVerdict =
  | { readonly kind: 'stop'; readonly reason: string }
  | { readonly kind: 'deadline'; readonly reason: string }
  | { readonly kind: 'unhealthy'; readonly reason: string }
  /** The pause is over but the new version has not served enough invocations to judge it. */
  | { readonly kind: 'insufficient'; readonly evidence: StepEvidence }
  | { readonly kind: 'promote' }
  | { readonly kind: 'next' }
  | { readonly kind: 'bake' };

/**
 * Decides the health check scheduled at `bake.nextCheckAt`. Order matters: a person's stop
 * wins, then the deadline, then the alarms and the new version's measured error rate — over the
 * window since the previous check (read at the check, so a failure is caught before fledge's
 * alarm next evaluates) and, before traffic moves on, over the whole pause (so invocations spread
 * thinly over many checks are judged too); promote-now is honoured only after a green check (a person's decision, even
 * short of evidence); the bake ends with its last scheduled check, and only with the pause's
 * evidence: too little evidence is never health. A paused deployment (`fledge pause`) is judged
 * the same, but a green check only bakes on: it holds its weight until resumed.
 */
export function judgeCheck(input: {
  now: number;
  record: Pick<DeploymentRecord, 'stopRequested' | 'promoteRequested' | 'deadline' | 'paused'>;
  alarms: readonly AlarmStatus[];
  errorRate?: MeasuredErrorRate;
  /** The error rate over the whole pause so far. */
  stepErrorRate?: MeasuredErrorRate;
  evidence?: StepEvidence;
  /** Why gating signals (latency, baseline, metrics…) failed, each with its numbers. */
  signalFailures?: readonly string[];
  bake: BakeState;
}): CheckVerdict {
  const { now, record, alarms, errorRate, stepErrorRate, evidence, bake } = input;
  if (record.stopRequested) {
    return { kind: 'stop', reason: `stopped by ${record.stopRequested.by}${record.stopRequested.reason ? `: ${record.stopRequested.reason}` : ''}` };
  }
  if (record.deadline !== undefined && now > record.deadline) {
    return { kind: 'deadline', reason: `the deployment ran past its timeout (deadline ${new Date(record.deadline).toISOString()})` };
  }
  const red = alarms.filter((alarm) => alarm.state === 'ALARM' || alarm.state === 'missing');
  const reasons = red.map((alarm) => (alarm.state === 'missing' ? `alarm ${alarm.name} does not exist` : `alarm ${alarm.name} is in ALARM${alarm.reason ? ` (${alarm.reason})` : ''}`));
  // The bake ends with the check scheduled at its end, not with the first check that happens to
  // run late: every bake makes exactly ⌈duration / interval⌉ checks (what the planner counts),
  // and lasts at least its duration, since the Wait never wakes before the scheduled time.
  const atEnd = Date.parse(bake.nextCheckAt) >= bake.until;
  // Before traffic moves on (the pause's end, promote-now), the rate over the whole pause is judged
  // too, so a pause never moves on with a rate no single window had enough invocations to judge.
  const movingOn = atEnd || record.promoteRequested !== undefined;
  const rateFailure = (errorRate ? errorRateFailure(errorRate) : undefined) ?? (movingOn && stepErrorRate ? errorRateFailure(stepErrorRate, 'over this step') : undefined);
  if (rateFailure) reasons.push(rateFailure);
  reasons.push(...(input.signalFailures ?? []));
  if (reasons.length > 0) return { kind: 'unhealthy', reason: reasons.join('; ') };
  // Paused by a person: hold the weight (the bake goes on, extended), neither promote nor move on.
  if (record.paused) return { kind: 'bake' };
  if (record.promoteRequested) return { kind: 'promote' };
  if (atEnd) return evidence && !hasEvidence(evidence) ? { kind: 'insufficient', evidence } : { kind: 'next' };
  return { kind: 'bake' };
}
