import type { FunctionState, PublishedVersion } from '../../ports/lambda-registry';
import type { EngineDeps } from './deps';
import { FunctionUpdateFailedError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import { isPublishedArtifact, type EngineState, type PublishedArtifact } from '../../model/deployment';
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
 * A version equal to the one the alias already serves means nothing changed. An adopted version
 * (`artifact.version` / `fromLatest`) is taken as published: nothing is written to Lambda.
 */
export async function publish(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'clock' | 'stage'>, state: EngineState): Promise<EngineState> {
  const { lambda, health, store, clock } = deps;
  const { deploymentId, spec } = state;
  const name = spec.function.name;
  const record = await loadRecord(store, deploymentId);

  const artifact = state.artifact;
  const published = isPublishedArtifact(artifact) ? await adopt(lambda, name, artifact) : await updateAndPublish(lambda, state, record.snapshot?.functionExisted !== false);
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
      event(deploymentId, eventKeys.published(), 'published', clock.now(), isPublishedArtifact(artifact) ? `adopted version ${published.version} of ${name}, already published: no code or configuration changed` : `published version ${published.version} of ${name}`, {
        version: published.version,
        ...(isPublishedArtifact(artifact) && { adopted: true }),
        codeSha256: published.codeSha256,
        previousVersion: record.snapshot?.alias?.version ?? null,
        ...(alarmName ? { alarmName } : {}),
      }),
    );
  }
  return { ...state, published: { version: published.version, changed, codeSha256: published.codeSha256 } };
}

/** Applies the spec's configuration, then the code, to `$LATEST` and publishes it, guarded. */
async function updateAndPublish(lambda: EngineDeps['lambda'], state: EngineState, functionExisted: boolean): Promise<PublishedVersion> {
  const { deploymentId, spec } = state;
  const name = spec.function.name;
  const artifact = state.artifact;
  if (isPublishedArtifact(artifact)) throw new Error('unreachable: an adopted version is not published');
  let latest = settled(await lambda.waitUntilSettled(name, { timeoutMs: SETTLE_TIMEOUT_MS }));
  // A function created by this deployment already has the artifact and configuration.
  if (functionExisted) {
    if (spec.configuration && Object.keys(spec.configuration).length > 0) {
      await lambda.updateConfiguration({ functionName: name, configuration: spec.configuration, revisionId: latest.revisionId });
      latest = settled(await lambda.waitUntilSettled(name, { timeoutMs: SETTLE_TIMEOUT_MS }));
    }
    const updated = await lambda.updateCode({ functionName: name, artifact, revisionId: latest.revisionId });
    latest = settled(await lambda.waitUntilSettled(name, { timeoutMs: SETTLE_TIMEOUT_MS }));
    if (latest.codeSha256 !== updated.codeSha256) {
      throw new FunctionUpdateFailedError(`the code of ${name} changed while fledge deployed it (expected SHA-256 ${updated.codeSha256}, found ${latest.codeSha256}): someone else is pushing to $LATEST`);
    }
  }
  return lambda.publishVersion({ functionName: name, codeSha256: latest.codeSha256, revisionId: latest.revisionId, description: `fledge deployment ${deploymentId}` });
}

/**
 * Adoption: the version another tool published, as it is. Nothing is written to Lambda: no
 * configuration, no code, no PublishVersion. Prepare resolved `fromLatest` and checked the version.
 */
async function adopt(lambda: EngineDeps['lambda'], name: string, artifact: PublishedArtifact): Promise<PublishedVersion> {
  if (!('publishedVersion' in artifact)) throw new FunctionUpdateFailedError(`the highest published version of ${name} was not resolved before Publish`);
  const version = await lambda.waitForVersion(name, artifact.publishedVersion, { timeoutMs: SETTLE_TIMEOUT_MS });
  if (version === undefined) throw new FunctionUpdateFailedError(`version ${artifact.publishedVersion} of ${name} was deleted after the deployment started`);
  settled(version);
  return { version: version.version, codeSha256: version.codeSha256, revisionId: version.revisionId };
}

function settled(fn: FunctionState): FunctionState {
  if (fn.state === 'Failed') throw new FunctionUpdateFailedError(`function ${fn.functionName} is in state Failed: ${fn.stateReason ?? 'no reason given'}`);
  if (fn.lastUpdateStatus === 'Failed') {
    throw new FunctionUpdateFailedError(`the update of ${fn.functionName} failed: ${fn.lastUpdateStatusReason ?? 'no reason given'}`);
  }
  return fn;
}
