import { isOwnState } from './alias';
import { advanceBake, errorRatePercent, judgeCheck, type MeasuredErrorRate } from './bake';
import type { EngineDeps } from './deps';
import { AliasDriftedError, DeadlineExceededError, HealthCheckFailedError, InvalidTaskInputError, StopRequestedError } from './errors';
import { event, eventKeys } from './events';
import type { DeploymentRecord, EngineState } from './model';
import { loadRecord } from './record';
import { describeRouting } from './routing';

/**
 * The Check task, run at each scheduled check of a bake: a person's stop, the deadline, drift
 * (the alias's revision), then the alarms (the spec's and fledge's own on the new version) and,
 * with `health.errorRate`, the new version's error rate read from the metrics at the check:
 * fledge's alarm only turns red at its next evaluation, which would leave a failure that starts
 * just before a check to the check after it.
 * Red ends in rollback (by throwing); green continues the bake, ends it, or promotes now.
 */
export async function check(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock'>, state: EngineState): Promise<EngineState> {
  const { lambda, health, store, clock } = deps;
  const { deploymentId, spec } = state;
  const bake = state.bake;
  if (!bake) throw new InvalidTaskInputError(`deployment ${deploymentId}: Check without a bake in the state`);
  const record = await loadRecord(store, deploymentId);
  const now = clock.now();
  const stepIndex = state.stepIndex ?? 0;

  const alias = await lambda.getAlias(record.functionName, record.alias);
  if (!alias || !isOwnState(record, alias)) {
    throw new AliasDriftedError(`alias ${record.functionName}:${record.alias} was changed by someone else during the bake: now ${describeRouting(alias)}${alias ? ` (revision ${alias.revisionId})` : ''}`);
  }
  const names = [...spec.health.alarms, ...(record.alarmName ? [record.alarmName] : [])];
  const alarms = names.length > 0 ? await health.describeAlarms(names) : [];
  const errorRate = await measureErrorRate(health, state, record, now);
  const verdict = judgeCheck({ now, record, alarms, bake, ...(errorRate ? { errorRate } : {}) });
  const number = bake.checks + 1;
  await store.appendEvent(
    event(deploymentId, eventKeys.check(stepIndex, number), 'check', now, `check ${number} at ${state.weight ?? 0}%: ${verdict.kind === 'unhealthy' ? verdict.reason : alarms.length > 0 || errorRate ? 'healthy' : 'no alarms to judge'}`, {
      weight: state.weight ?? 0,
      alarms: alarms.map((alarm) => ({ name: alarm.name, state: alarm.state })),
      ...(errorRate && {
        errorRate: { version: errorRate.version, errors: errorRate.errors, invocations: errorRate.invocations, ratePercent: errorRatePercent(errorRate), thresholdPercent: errorRate.thresholdPercent, minInvocations: errorRate.minInvocations },
      }),
      verdict: verdict.kind,
    }),
  );
  switch (verdict.kind) {
    case 'stop':
      throw new StopRequestedError(verdict.reason);
    case 'deadline':
      throw new DeadlineExceededError(verdict.reason);
    case 'unhealthy':
      throw new HealthCheckFailedError(verdict.reason);
    case 'promote':
      return { ...state, action: 'promote', bake: undefined, checksPassed: (state.checksPassed ?? 0) + 1 };
    case 'next':
      return { ...state, action: 'next', bake: undefined, checksPassed: (state.checksPassed ?? 0) + 1 };
    case 'bake':
      return { ...state, action: 'bake', bake: advanceBake(bake), checksPassed: (state.checksPassed ?? 0) + 1 };
  }
}

/**
 * The new version's errors and invocations since the previous scheduled check (at least one
 * minute, the metrics' resolution), when the spec judges its error rate.
 */
async function measureErrorRate(health: EngineDeps['health'], state: EngineState, record: DeploymentRecord, now: number): Promise<MeasuredErrorRate | undefined> {
  const limits = state.spec.health.errorRate;
  const bake = state.bake;
  if (!limits || !bake || !record.newVersion) return undefined;
  const previousCheck = Date.parse(bake.nextCheckAt) - bake.checkInterval;
  const windowSeconds = Math.max(60, Math.ceil((now - previousCheck) / 1000));
  const counts = await health.versionErrorRate({ functionName: record.functionName, alias: record.alias, version: record.newVersion, windowSeconds, at: now });
  return { ...counts, version: record.newVersion, thresholdPercent: limits.thresholdPercent, minInvocations: limits.minInvocations };
}
