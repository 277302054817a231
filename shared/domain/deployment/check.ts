import { formatDuration } from '../spec/duration';
import { evidenceRuleOf, hasApprovalSteps } from '../spec/evidence';
import { isOwnState } from './alias';
import { advanceBake, describeShortfall, errorRatePercent, hasEvidence, judgeCheck, type CheckVerdict, type MeasuredErrorRate, type StepEvidence } from './bake';
import type { EngineDeps } from './deps';
import { AliasDriftedError, DeadlineExceededError, DeploymentFinishedError, HealthCheckFailedError, InsufficientEvidenceError, InvalidTaskInputError, isAwsFailure, StopRequestedError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import { countsSince, describeSpan, onInsufficientData, type InsufficientDataStep } from './evidence';
import type { EngineState } from '../../model/deployment';
import type { TrafficStep } from '../../model/spec';
import { isTerminal } from '../../model/deployment';
import { nextStep } from './next-step';
import { loadRecord } from './record';
import { describeRouting } from './routing';
import { describeReadings, hasSignals, readSignals, signalVerdict } from './signals';
import { gateOnWebhooks } from './webhooks';
import { holdWhilePaused } from './pause';

/**
 * The Check task, run at each scheduled check of a bake: a person's stop, the deadline, drift
 * (the alias's revision), then the alarms (the spec's and fledge's own on the new version) and,
 * with `health.errorRate`, the new version's error rate read from the metrics at the check:
 * fledge's alarm only turns red at its next evaluation, which would leave a failure that starts
 * just before a check to the check after it. The same metrics count the evidence: the new
 * version's invocations during the pause, which must reach `health.minInvocations` before
 * traffic moves on.
 * Red ends in rollback (by throwing); green continues the bake, promotes now, or ends the pause —
 * and then applies the next weight itself (NextStep's work, see `nextStep`), returning the next
 * bake, approval or promotion; a pause that ends short of evidence is extended, handed to a person
 * (approval), or rolled back.
 */
export async function check(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'webhooks'>, state: EngineState, options: { readonly shift?: boolean } = {}): Promise<EngineState> {
  const { lambda, health, store, clock } = deps;
  const { deploymentId, spec } = state;
  const bake = state.bake;
  if (!bake) throw new InvalidTaskInputError(`deployment ${deploymentId}: Check without a bake in the state`);
  const record = await loadRecord(store, deploymentId);
  // Ended or taken over meanwhile (the alarm abort rolled it back while this execution waited):
  // judge nothing, record nothing; the Catch's Rollback settles the ending that was recorded.
  if (isTerminal(record.status) || record.abandonedAt !== undefined) throw new DeploymentFinishedError(`deployment ${deploymentId} has ended (${record.status}) or is being rolled back: no check`);
  const version = record.newVersion ?? state.published?.version;
  if (!version) throw new InvalidTaskInputError(`deployment ${deploymentId}: Check without a published version`);
  const now = clock.now();
  const stepIndex = state.stepIndex ?? 0;
  const weight = state.weight ?? 0;

  const alias = await lambda.getAlias(record.functionName, record.alias);
  if (!alias || !isOwnState(record, alias)) {
    throw new AliasDriftedError(`alias ${record.functionName}:${record.alias} was changed by someone else during the bake: now ${describeRouting(alias)}${alias ? ` (revision ${alias.revisionId})` : ''}`);
  }
  const names = [...spec.health.alarms, ...(record.alarmName ? [record.alarmName] : [])];
  const alarms = names.length > 0 ? await health.describeAlarms(names) : [];

  // One read of the new version's metrics since the deployment started, per minute: the window
  // since the previous check (the error rate's fresh verdict), the pause so far (its evidence and
  // its error rate over the whole pause) and the whole deployment (what "promoted on" reports).
  const since = state.startedAt ?? record.startedAt ?? bake.startedAt;
  const series = await health.versionMetrics({ functionName: record.functionName, alias: record.alias, version, from: Math.min(since, bake.startedAt), to: now });
  const previousCheck = Date.parse(bake.nextCheckAt) - bake.checkInterval;
  const window = countsSince(series, now - Math.max(60_000, now - previousCheck));
  const step = countsSince(series, bake.startedAt);
  const total = countsSince(series, since);
  const rule = evidenceRuleOf(spec.health, spec.strategy);
  const limits = spec.health.errorRate;
  const rate = (counts: typeof window): MeasuredErrorRate | undefined => limits && { ...counts, version, thresholdPercent: limits.thresholdPercent, minInvocations: limits.minInvocations };
  const errorRate = rate(window);
  const stepErrorRate = rate(step);
  const evidence: StepEvidence | undefined = rule.minInvocations > 0 ? { version, invocations: step.invocations, required: rule.minInvocations } : undefined;

  // The signals beyond alarms and the error rate, over the pause so far; the baseline is the
  // alias's other routed version (the old one) over the same minutes.
  const baselineVersion = alias.version !== version ? alias.version : Object.keys(alias.weights).find((v) => v !== version);
  const readings = hasSignals(spec.health)
    ? await readSignals(health, spec.health, { functionName: record.functionName, alias: record.alias, version, ...(baselineVersion !== undefined && { baselineVersion }) }, { from: bake.startedAt, to: now })
    : [];
  const signals = signalVerdict(readings);
  const spillover = await spilloverFailure(health, state, record.functionName, record.alias, version, bake.startedAt, now);

  // Paused: the deadline is pushed on, so holding never times the deployment out (pause.ts).
  const held = record.paused ? await holdWhilePaused(deps, record, now, bake.checkInterval) : record;
  const judged = judgeCheck({ now, record: held, alarms, bake, signalFailures: [...signals.failed.map((r) => r.detail), ...(spillover ? [spillover] : [])], ...(errorRate && stepErrorRate ? { errorRate, stepErrorRate } : {}), ...(evidence ? { evidence } : {}) });
  // How the verdict is reached (docs/spec.md#verdicts): failed checks up to failureLimit are
  // tolerated; a pause moves on only after consecutiveSuccesses conclusive green checks in a row.
  const failureLimit = spec.health.failureLimit ?? 0;
  const failedChecks = (state.failedChecks ?? 0) + (judged.kind === 'unhealthy' ? 1 : 0);
  const tolerated = judged.kind === 'unhealthy' && failedChecks <= failureLimit;
  const conclusive = signals.inconclusive.length === 0 && judged.kind !== 'unhealthy';
  const streak = conclusive ? (bake.streak ?? 0) + 1 : 0;
  const needed = spec.health.consecutiveSuccesses ?? 1;
  const atEnd = Date.parse(bake.nextCheckAt) >= bake.until;
  let verdict: CheckVerdict | { readonly kind: 'failed'; readonly reason: string } | { readonly kind: 'inconclusive'; readonly reason: string } = judged;
  if (tolerated) verdict = atEnd ? { kind: 'inconclusive', reason: `this check failed (${failedChecks} of ${failureLimit} tolerated): ${judged.reason}` } : { kind: 'failed', reason: judged.reason };
  else if (judged.kind === 'next' && signals.inconclusive.length > 0) verdict = { kind: 'inconclusive', reason: signals.inconclusive.map((r) => r.detail).join('; ') };
  else if (judged.kind === 'next' && streak < needed) verdict = { kind: 'inconclusive', reason: `${streak} successful check${streak === 1 ? '' : 's'} in a row at the pause's end, ${needed} required` };
  const streaked = { ...bake, streak };

  // The record's deadline is later than the state's after a pause (pushed on while held, given back on resume).
  const deadline = state.deadline === undefined || (held.deadline !== undefined && held.deadline > state.deadline) ? held.deadline : state.deadline;
  // The final bake is a wait still ahead of every pause: an extension leaves it its time.
  const finalWait: TrafficStep[] = spec.finalBake !== undefined && !bake.final ? [{ type: 'pause', duration: spec.finalBake }] : [];
  const laterSteps = [...(bake.final ? [] : (state.trafficSteps ?? []).slice(stepIndex)), ...finalWait];
  const policyStep = (): InsufficientDataStep => onInsufficientData({ policy: rule.onInsufficientData, bake: streaked, now, ...(deadline === undefined ? {} : { deadline }), laterSteps });
  // Inconclusive asks a person at once when someone answers approvals; otherwise the spec's onInsufficientData.
  const insufficient: InsufficientDataStep | undefined =
    verdict.kind === 'insufficient' ? policyStep() : verdict.kind === 'inconclusive' ? (hasApprovalSteps(spec.strategy) ? { kind: 'pause' } : policyStep()) : undefined;
  const shortfall = verdict.kind === 'insufficient' ? `${describeShortfall(verdict.evidence)} ${describeSpan(bake, now, weight)}` : verdict.kind === 'inconclusive' ? verdict.reason : undefined;

  const number = bake.checks + 1;
  const line = summary(verdict, insufficient, shortfall, alarms.length > 0 || errorRate !== undefined || readings.length > 0, step.invocations, rule.minInvocations, version) + (held.paused && verdict.kind === 'bake' ? `; paused by ${held.paused.by}: holding at ${weight}%` : '');
  await store.appendEvent(
    event(deploymentId, eventKeys.check(stepIndex, number), 'check', now, `${bake.final ? 'final bake ' : ''}check ${number} at ${weight}%: ${line}${readings.length > 0 ? ` | signals: ${describeReadings(readings)}` : ''}`, {
      weight,
      ...(bake.final && { finalBake: true }),
      alarms: alarms.map((alarm) => ({ name: alarm.name, state: alarm.state })),
      ...(errorRate && {
        errorRate: { version, errors: errorRate.errors, invocations: errorRate.invocations, ratePercent: errorRatePercent(errorRate), thresholdPercent: errorRate.thresholdPercent, minInvocations: errorRate.minInvocations },
      }),
      evidence: { version, invocations: step.invocations, required: rule.minInvocations, total: total.invocations },
      ...(readings.length > 0 && { signals: readings.map(({ detail: _detail, ...reading }) => reading), ...(baselineVersion !== undefined && { baselineVersion }) }),
      ...((failureLimit > 0 || failedChecks > 0) && { failedChecks, failureLimit }),
      ...(needed > 1 && { streak, consecutiveSuccesses: needed }),
      verdict: verdict.kind,
      ...(insufficient && { onInsufficientData: insufficient.kind }),
      ...(insufficient?.kind === 'extend' && { extendedUntil: new Date(insufficient.bake.until).toISOString() }),
    }),
  );

  // The check webhooks are asked only when fledge's own signals have not already decided on rollback.
  if (verdict.kind !== 'stop' && verdict.kind !== 'deadline' && verdict.kind !== 'unhealthy' && insufficient?.kind !== 'rollback') await gateOnWebhooks(deps, state, 'check', { weight, step: stepIndex, check: number }, record);
  const short = (verdict.kind === 'promote' && evidence !== undefined && !hasEvidence(evidence)) || insufficient?.kind === 'pause';
  const seen = { version, invocations: total.invocations, shortSteps: (state.evidence?.shortSteps ?? 0) + (short ? 1 : 0) };
  const green = { ...state, ...(deadline !== undefined && { deadline }), evidence: seen, checksPassed: (state.checksPassed ?? 0) + (verdict.kind === 'failed' || tolerated ? 0 : 1), ...(failedChecks > 0 && { failedChecks }) };
  switch (verdict.kind) {
    case 'stop':
      throw new StopRequestedError(verdict.reason);
    case 'deadline':
      throw new DeadlineExceededError(verdict.reason);
    case 'unhealthy':
      await recordDetection(store, deploymentId, now);
      throw new HealthCheckFailedError(failureLimit > 0 ? `${verdict.reason} (${failedChecks} failed checks, ${failureLimit} tolerated)` : verdict.reason);
    case 'promote':
      // Promote-now too waits for the new version's full provisioned concurrency (NextStep does).
      if ((green.provisioned?.total ?? 0) > 0) return nextStep(deps, { ...green, bake: undefined, provisioned: { ...green.provisioned!, promote: true } });
      return { ...green, action: 'promote', bake: undefined };
    case 'next':
      // The final bake's last green check: the next Promote records the success.
      if (bake.final) return { ...green, action: 'promote', bake: undefined, finalBake: 'done' };
      // Check-then-shift: the same invocation applies the next weight and starts the next bake, so
      // a weight step costs one task and three states (Bake, Check, AfterCheck), not five and two.
      // A group's member (`shift: false`) only judges: the group shifts every member together once all are judged.
      if (options.shift === false) return { ...green, action: 'next', bake: undefined };
      return nextStep(deps, { ...green, bake: undefined });
    case 'bake':
    case 'failed':
      // While paused the bake is extended check by check, so the pause's end is never reached.
      return { ...green, action: 'bake', bake: advanceBake(held.paused ? { ...streaked, until: Math.max(streaked.until, Date.parse(streaked.nextCheckAt) + streaked.checkInterval) } : streaked) };
    case 'insufficient':
      return afterShortfall(green, insufficient!, `insufficient evidence: ${shortfall!}`, now, deadline);
    case 'inconclusive':
      return afterShortfall(green, insufficient!, `inconclusive: ${shortfall!}`, now, deadline, 'inconclusive');
  }
}

/** The state after a pause fell short of evidence or ended inconclusive: bake on, ask a person, or roll back (by throwing). */
function afterShortfall(state: EngineState, step: InsufficientDataStep, reason: string, now: number, deadline: number | undefined, why: 'insufficient' | 'inconclusive' = 'insufficient'): EngineState {
  switch (step.kind) {
    case 'extend':
      return { ...state, action: 'bake', bake: step.bake };
    case 'rollback':
      throw new InsufficientEvidenceError(reason);
    case 'pause': {
      const timeout = state.spec.approval.timeout;
      const left = deadline === undefined ? timeout : Math.floor((deadline - now) / 1000);
      if (left < 1) throw new InsufficientEvidenceError(`${reason}; no time is left before the deployment's timeout to ask a person`);
      // The approval id comes from the pause's own step index, so it never collides with an approval step's.
      const pauseIndex = Math.max(0, (state.stepIndex ?? 1) - 1);
      const message =
        why === 'inconclusive'
          ? `${reason}. Approve to move on although the checks could not decide; rejecting, or no answer in time, rolls back.`
          : `${reason.replace(/^insufficient evidence/, 'insufficient data')}. Approve to move on without that evidence; rejecting, or no answer in time, rolls back.`;
      return { ...state, action: 'approval', bake: undefined, approval: { timeoutSeconds: Math.max(1, Math.min(timeout, left)), stepIndex: pauseIndex, message } };
    }
  }
}

/** The check's one-line verdict for the history. */
function summary(verdict: CheckVerdict | { readonly kind: 'failed' | 'inconclusive'; readonly reason: string }, insufficient: InsufficientDataStep | undefined, shortfall: string | undefined, judged: boolean, invocations: number, required: number, version: string): string {
  switch (verdict.kind) {
    case 'stop':
    case 'deadline':
    case 'unhealthy':
      return verdict.reason;
    case 'failed':
      return `failed, tolerated (failureLimit): ${verdict.reason}`;
    case 'insufficient':
    case 'inconclusive': {
      const then = insufficient?.kind === 'extend' ? `the pause is extended, ${extension(insufficient.bake)}` : insufficient?.kind === 'pause' ? 'asking a person' : 'rolling back';
      return `${verdict.kind === 'inconclusive' ? 'inconclusive' : 'insufficient evidence'}: ${shortfall ?? ''}; ${then}`;
    }
    default:
      return `${judged ? 'healthy' : 'no alarms to judge'} (version ${version}: ${invocations} invocation${invocations === 1 ? '' : 's'} in this step${required > 0 ? `, ${required} required` : ''})`;
  }
}

/** `by 1m so far, at most 5m`. */
function extension(bake: { readonly until: number; readonly plannedUntil?: number; readonly extensionLimit?: number }): string {
  const planned = bake.plannedUntil ?? bake.until;
  return `by ${formatDuration(Math.round((bake.until - planned) / 1000))} so far, at most ${formatDuration(Math.round(((bake.extensionLimit ?? bake.until) - planned) / 1000))}`;
}

/**
 * Spillover is a health signal when PC is in play (docs/engine.md#provisioned-concurrency): an
 * invocation of the new version that found no READY provisioned concurrency ran on a cold,
 * on-demand environment, which is what PC-aware shifting exists to prevent. Any during the pause
 * fails the check (counted against `health.failureLimit` like any failed check).
 */
async function spilloverFailure(health: Pick<EngineDeps['health'], 'windowValues'>, state: EngineState, functionName: string, alias: string, version: string, from: number, to: number): Promise<string | undefined> {
  const plan = state.provisioned;
  if (!plan || (plan.total <= 0 && plan.onAlias === undefined)) return undefined;
  const values = await health.windowValues({
    queries: [{ id: 'spillover', namespace: 'AWS/Lambda', metricName: 'ProvisionedConcurrencySpilloverInvocations', dimensions: { FunctionName: functionName, Resource: `${functionName}:${alias}`, ExecutedVersion: version }, stat: 'Sum', returnData: true }],
    from,
    to,
  });
  const spilled = values.get('spillover') ?? 0;
  if (!(spilled > 0)) return undefined;
  return `${spilled} invocation${spilled === 1 ? '' : 's'} of version ${version} spilled over to on-demand environments (ProvisionedConcurrencySpilloverInvocations): they found no READY provisioned concurrency`;
}

/**
 * Records when the red check saw the failure (time to restore runs from it), best-effort: a
 * table that does not answer must not turn a failed check into a retried task — the rollback
 * then takes its own start as the detection.
 */
async function recordDetection(store: EngineDeps['store'], deploymentId: string, now: number): Promise<void> {
  try {
    await store.updateDeployment(deploymentId, { failureDetectedAt: now }, { onlyIfStatusIn: ['RUNNING'], unlessAbandoned: true });
  } catch (error) {
    if (!isAwsFailure(error)) throw error;
  }
}
