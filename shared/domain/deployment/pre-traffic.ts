import { isDeepStrictEqual } from 'node:util';
import type { InvokeResult } from '../../ports/lambda-registry';
import type { SmokeExpectation } from '../../model/spec';
import type { EngineDeps } from './deps';
import { HealthCheckFailedError, VerificationFailedError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import type { EngineState } from '../../model/deployment';
import { ensureReadyForTraffic } from './readiness';
import { loadRecord } from './record';
import { gateOnWebhooks } from './webhooks';

/**
 * The PreTraffic task: before any traffic moves, wait until the new version (and the rollback
 * target) are Active and can share the alias (readiness.ts), invoke the new version with the
 * smoke-test payload, the beforeTraffic hook and the beforeTraffic webhooks, and make sure every alarm the spec names exists
 * (an alarm that does not exist can never fire: better to refuse now than to bake blind).
 */
export async function preTraffic(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  const { lambda, health, store, clock } = deps;
  const { deploymentId, spec } = state;
  const version = requireVersion(state);
  const record = await loadRecord(store, deploymentId);
  await ensureReadyForTraffic(deps, state, record, version);
  const done: string[] = [];

  if (spec.health.alarms.length > 0) {
    const missing = (await health.describeAlarms(spec.health.alarms)).filter((alarm) => alarm.state === 'missing');
    if (missing.length > 0) throw new HealthCheckFailedError(`the spec names alarms that do not exist: ${missing.map((alarm) => alarm.name).join(', ')}`);
    done.push(`${spec.health.alarms.length} alarm(s) found`);
  }
  const smoke = spec.health.smokeTest;
  if (smoke) {
    const result = await lambda.invoke({ functionName: spec.function.name, qualifier: version, payload: smoke.payload });
    if (result.functionError) throw new VerificationFailedError(`smoke test of version ${version} failed: ${errorText(result)}`);
    if (smoke.expect && !matches(result.payload, smoke.expect)) {
      throw new VerificationFailedError(`smoke test of version ${version} returned ${JSON.stringify(result.payload).slice(0, 500)}, expected ${smoke.expect.match === 'exact' ? '' : 'a superset of '}${JSON.stringify(smoke.expect.value).slice(0, 500)}`);
    }
    done.push('smoke test passed');
  }
  const hook = spec.hooks.beforeTraffic;
  if (hook) {
    await runHook(deps, hook, { phase: 'beforeTraffic', deploymentId, functionName: spec.function.name, alias: spec.alias, newVersion: version, previousVersion: record.snapshot?.alias?.version ?? null });
    done.push(`beforeTraffic hook ${hook} passed`);
  }
  if (spec.webhooks?.beforeTraffic) {
    await gateOnWebhooks(deps, state, 'beforeTraffic', { weight: 0 }, record);
    done.push(`${spec.webhooks.beforeTraffic.length} beforeTraffic webhook(s) answered go`);
  }
  if (done.length > 0) await store.appendEvent(event(deploymentId, eventKeys.verified(), 'verified', clock.now(), `version ${version} verified before traffic: ${done.join(', ')}`));
  return state;
}

/** Invokes a hook function with the deployment's facts; an error or `{status: "Failed"}` fails it. */
export async function runHook(deps: Pick<EngineDeps, 'lambda'>, functionName: string, facts: Record<string, unknown>): Promise<void> {
  const result = await deps.lambda.invoke({ functionName, payload: facts });
  if (result.functionError) throw new VerificationFailedError(`${String(facts.phase)} hook ${functionName} failed: ${errorText(result)}`);
  const payload = result.payload as { status?: unknown; reason?: unknown } | null;
  if (payload && typeof payload === 'object' && typeof payload.status === 'string' && payload.status.toLowerCase() === 'failed') {
    throw new VerificationFailedError(`${String(facts.phase)} hook ${functionName} reported failure${typeof payload.reason === 'string' ? `: ${payload.reason}` : ''}`);
  }
}

/** The new version a task works on; a state without it is a broken input. */
export function requireVersion(state: EngineState): string {
  if (!state.published) throw new VerificationFailedError(`deployment ${state.deploymentId}: no published version in the state`);
  return state.published.version;
}

function errorText(result: InvokeResult): string {
  const payload = result.payload as { errorType?: unknown; errorMessage?: unknown } | null;
  if (payload && typeof payload === 'object' && typeof payload.errorMessage === 'string') {
    return `${typeof payload.errorType === 'string' ? `${payload.errorType}: ` : ''}${payload.errorMessage}`.slice(0, 500);
  }
  return `${result.functionError ?? 'error'}`;
}

/** Whether `actual` satisfies the expectation: equal, or containing every field of the expected value. */
export function matches(actual: unknown, expectation: SmokeExpectation): boolean {
  return expectation.match === 'exact' ? isDeepStrictEqual(actual, expectation.value) : isSubset(actual, expectation.value);
}

function isSubset(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return isDeepStrictEqual(actual, expected);
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.length === actual.length && expected.every((item, index) => isSubset(actual[index], item));
  return Object.entries(expected).every(([key, value]) => isSubset((actual as Record<string, unknown>)[key], value));
}
