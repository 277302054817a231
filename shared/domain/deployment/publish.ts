import type { FunctionState } from '../../ports/lambda-registry';
import type { EngineDeps } from './deps';
import { FunctionUpdateFailedError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import type { EngineState } from '../../model/deployment';
import { loadRecord } from './record';
import { versionAlarm } from './version-alarm';

/**
 * How long one update of `$LATEST` may stay InProgress before the task gives up (and is
 * retried): three waits must fit in the task function's 15 minutes.
 */
const SETTLE_TIMEOUT_MS = 4 * 60 * 1000;

/**
 * The Publish task: applies the spec's configuration, then the code, to `$LATEST`, waits for
 * each update to finish, and publishes a version guarded by the code's SHA-256 and the
 * function's revision (so a push by someone else in between fails instead of being published).
 * A version equal to the one the alias already serves means nothing changed.
 */
export async function publish(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'stage'>, state: EngineState): Promise<EngineState> {
  const { lambda, health, store, clock } = deps;
  const { deploymentId, spec } = state;
  const name = spec.function.name;
  const record = await loadRecord(store, deploymentId);

  let latest = settled(await lambda.waitUntilSettled(name, { timeoutMs: SETTLE_TIMEOUT_MS }));
  // A function created by this deployment already has the artifact and configuration.
  if (record.snapshot?.functionExisted !== false) {
    if (spec.configuration && Object.keys(spec.configuration).length > 0) {
      await lambda.updateConfiguration({ functionName: name, configuration: spec.configuration, revisionId: latest.revisionId });
      latest = settled(await lambda.waitUntilSettled(name, { timeoutMs: SETTLE_TIMEOUT_MS }));
    }
    const updated = await lambda.updateCode({ functionName: name, artifact: state.artifact, revisionId: latest.revisionId });
    latest = settled(await lambda.waitUntilSettled(name, { timeoutMs: SETTLE_TIMEOUT_MS }));
    if (latest.codeSha256 !== updated.codeSha256) {
      throw new FunctionUpdateFailedError(`the code of ${name} changed while fledge deployed it (expected SHA-256 ${updated.codeSha256}, found ${latest.codeSha256}): someone else is pushing to $LATEST`);
    }
  }
  const published = await lambda.publishVersion({ functionName: name, codeSha256: latest.codeSha256, revisionId: latest.revisionId, description: `fledge deployment ${deploymentId}` });
  const changed = record.snapshot?.alias?.version !== published.version;

  let alarmName: string | undefined;
  if (changed && spec.health.errorRate) {
    const alarm = versionAlarm(spec, published.version, spec.health.errorRate, deps.stage);
    await health.ensureVersionAlarm(alarm);
    alarmName = alarm.alarmName;
  }
  await store.updateDeployment(deploymentId, { newVersion: published.version, ...(alarmName ? { alarmName } : {}) });
  if (changed) {
    await store.appendEvent(
      event(deploymentId, eventKeys.published(), 'published', clock.now(), `published version ${published.version} of ${name}`, {
        version: published.version,
        codeSha256: published.codeSha256,
        previousVersion: record.snapshot?.alias?.version ?? null,
        ...(alarmName ? { alarmName } : {}),
      }),
    );
  }
  return { ...state, published: { version: published.version, changed, codeSha256: published.codeSha256 } };
}

function settled(fn: FunctionState): FunctionState {
  if (fn.state === 'Failed') throw new FunctionUpdateFailedError(`function ${fn.functionName} is in state Failed: ${fn.stateReason ?? 'no reason given'}`);
  if (fn.lastUpdateStatus === 'Failed') {
    throw new FunctionUpdateFailedError(`the update of ${fn.functionName} failed: ${fn.lastUpdateStatusReason ?? 'no reason given'}`);
  }
  return fn;
}
