import { changeAlias } from './alias';
import { startBake } from './bake';
import { checkIntervalOf } from '../spec/check-interval';
import { formatDuration } from '../spec/duration';
import { DeploymentFinishedError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import { cleanupVersions } from './cleanup';
import type { EngineDeps } from './deps';
import { describeEvidence } from '../../model/deployment';
import { promotionEvidence } from './evidence';
import { factsOf, type Ending } from './finish';
import type { DeploymentRecord, EngineState } from '../../model/deployment';
import { requireVersion, runHook } from './pre-traffic';
import { finishPromotion, settleAfterPromotion } from './promotion-ending';
import { releaseUnused } from './provisioned-concurrency';
import { loadRecord } from './record';
import { gateOnWebhooks } from './webhooks';

/**
 * The Promote task: the beforePromotion webhooks say go, the alias moves wholly to the new version with its routing cleared, the
 * afterTraffic hook runs (its failure rolls back to the snapshot), then old versions are cleaned
 * up (never the version just left: see cleanup.ts), the deployment SUCCEEDS — saying on how many
 * invocations — and the alarm, the history and the lock follow. Once the hook has passed nothing
 * throws into the Catch (see {@link finishPromotion}): a side effect that fails is a warning in
 * the state, left to the sweeper, never a reason to undo a healthy promotion.
 *
 * With the spec's `finalBake`, the first Promote stops after the hook: it returns a bake over all
 * traffic on the new version (`finalBake: 'baking'`), watched by the same Bake/Check loop as a
 * pause — trouble rolls back to the snapshot — and the Promote its last green check leads to only
 * records the success, and only while no takeover (the alarm abort, the safety net) is rolling
 * the deployment back.
 */
export async function promote(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  const { store } = deps;
  const { deploymentId, spec } = state;
  const version = requireVersion(state);
  const record = await loadRecord(store, deploymentId);
  if (record.status === 'SUCCEEDED') {
    // A retry whose first attempt recorded the success but died before releasing the old version's
    // provisioned concurrency: release it now (idempotent), so none stays on a version no alias uses.
    if ((state.provisioned?.total ?? 0) > 0) await releaseUnused(deps, record.functionName, record.snapshot?.alias?.version);
    return { ...state, weight: 100, ...withWarnings(await settleAfterPromotion(deps, record)) };
  }

  // After a final bake the alias is already whole on the new version: what is left is the record.
  const watched = state.finalBake !== undefined;
  if (watched && record.abandonedAt !== undefined) {
    throw new DeploymentFinishedError(`deployment ${deploymentId} is being rolled back by the alarm abort or the safety net: its final bake does not end in success`);
  }
  const previous = record.snapshot?.alias?.version ?? null;
  let promoted;
  if (watched) {
    // No change when whole on the new version; someone else's change since is drift, as in a check.
    promoted = await changeAlias(deps, record, { version, weights: {} }, `promote version ${version}`);
  } else {
    // Asked before the alias moves wholly: a "no" rolls back from the weight the deployment is at.
    await gateOnWebhooks(deps, state, 'beforePromotion', { weight: state.weight ?? 0 }, record);
    promoted = await changeAlias(deps, record, { version, weights: {} }, `promote version ${version}`);
    if (spec.hooks.afterTraffic) {
      await runHook(deps, spec.hooks.afterTraffic, { phase: 'afterTraffic', deploymentId, functionName: spec.function.name, alias: spec.alias, newVersion: version, previousVersion: previous });
    }
    if (spec.finalBake !== undefined) return startFinalBake(deps, state, version, previous, promoted.revisionId, spec.finalBake);
  }
  const warnings = await recordPromotion(deps, state, record, version, watched);
  if (watched) {
    // Not recorded because a takeover came first (an alarm at the window's very end): its rollback
    // stands, and the Catch's Rollback waits for its ending.
    const after = await store.getDeployment(deploymentId).catch(() => undefined);
    if (after && after.status !== 'SUCCEEDED' && after.abandonedAt !== undefined) {
      throw new DeploymentFinishedError(`deployment ${deploymentId} is being rolled back by the alarm abort or the safety net: its final bake does not end in success`);
    }
  }
  return { ...state, weight: 100, aliasRevisionId: promoted.revisionId, ...withWarnings(warnings) };
}

/**
 * Records the promotion of `record`'s alias, already whole on `version` (its hook passed): the
 * evidence, the old version's provisioned concurrency released, the cleanup of old versions,
 * SUCCEEDED and the ending's side effects. Never throws
 * (see {@link finishPromotion}); returns what was left to the sweeper.
 */
export async function recordPromotion(
  deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>,
  state: EngineState,
  record: DeploymentRecord,
  version: string,
  /** After a final bake: recorded only over no takeover (the alarm abort, the safety net). */
  watched = false,
): Promise<string[]> {
  const { store } = deps;
  const { deploymentId, spec } = state;
  const previous = record.snapshot?.alias?.version ?? null;
  // On what evidence: the record (fledge status), the history and the notification all say it.
  const evidence = promotionEvidence(state, version);
  const promotedMessage = `version ${version} promoted ${describeEvidence(evidence)}: ${spec.function.name}:${spec.alias} sends all traffic to it`;
  const plain: Ending = {
    status: 'SUCCEEDED',
    eventKind: 'promoted',
    message: promotedMessage,
    data: { version, previousVersion: previous, evidence },
    notification: { kind: 'promoted', ...factsOf(record), evidence },
    ...(watched ? { unlessAbandoned: true } : {}),
  };
  return finishPromotion(deps, deploymentId, {
    plain,
    ending: async (current) => {
      await store.updateDeployment(deploymentId, { evidence });
      // The old version's provisioned concurrency goes with its traffic (unless another alias routes to it).
      const released = (state.provisioned?.total ?? 0) > 0 && previous !== null ? await releaseUnused(deps, current.functionName, previous) : false;
      const removed = spec.cleanup ? await cleanupVersions(deps, current, spec.cleanup.keepVersions) : undefined;
      return {
        ...plain,
        message: `${promotedMessage}${released ? `; provisioned concurrency removed from version ${previous}` : ''}${removed?.length ? `; removed old versions ${removed.join(', ')}` : ''}`,
        data: { version, previousVersion: previous, evidence, ...(released ? { provisionedConcurrencyReleasedFrom: previous } : {}), ...(removed ? { removedVersions: removed } : {}) },
        notification: { kind: 'promoted', ...factsOf(current), evidence },
        ...(watched ? { unlessAbandoned: true } : {}),
      };
    },
  });
}

/**
 * All traffic is on the new version and the hook passed: the final bake begins, as a pause at 100%
 * whose checks are numbered after every step (`stepIndex` past the last), so its history keys and a
 * shortfall's approval id never meet a pause's.
 */
async function startFinalBake(deps: Pick<EngineDeps, 'store' | 'clock'>, state: EngineState, version: string, previous: string | null, revisionId: string, seconds: number): Promise<EngineState> {
  const now = deps.clock.now();
  await deps.store.appendEvent(
    event(state.deploymentId, eventKeys.finalBake(), 'weight', now, `100% of traffic on version ${version}; final bake of ${formatDuration(seconds)} before it succeeds (trouble rolls back to ${previous === null ? 'no alias' : `version ${previous}`})`, {
      percent: 100,
      version,
      previousVersion: previous,
      finalBake: seconds,
    }),
  );
  return {
    ...state,
    weight: 100,
    aliasRevisionId: revisionId,
    stepIndex: (state.trafficSteps?.length ?? 0) + 1,
    action: 'bake',
    finalBake: 'baking',
    approval: undefined,
    bake: { ...startBake(now, seconds, checkIntervalOf(state.spec.health)), final: true },
  };
}

function withWarnings(warnings: readonly string[]): Pick<EngineState, 'warnings'> {
  return warnings.length > 0 ? { warnings } : {};
}
