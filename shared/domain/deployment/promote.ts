import { changeAlias } from './alias';
import { cleanupVersions } from './cleanup';
import type { EngineDeps } from './deps';
import { describeEvidence } from '../../model/deployment';
import { promotionEvidence } from './evidence';
import { factsOf, type Ending } from './finish';
import type { DeploymentRecord, EngineState } from '../../model/deployment';
import { requireVersion, runHook } from './pre-traffic';
import { finishPromotion, settleAfterPromotion } from './promotion-ending';
import { loadRecord } from './record';
import { gateOnWebhooks } from './webhooks';

/**
 * The Promote task: the beforePromotion webhooks say go, the alias moves wholly to the new version with its routing cleared, the
 * afterTraffic hook runs (its failure rolls back to the snapshot), then old versions are cleaned
 * up (never the version just left: see cleanup.ts), the deployment SUCCEEDS — saying on how many
 * invocations — and the alarm, the history and the lock follow. Once the hook has passed nothing
 * throws into the Catch (see {@link finishPromotion}): a side effect that fails is a warning in
 * the state, left to the sweeper, never a reason to undo a healthy promotion.
 */
export async function promote(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock' | 'webhooks'>, state: EngineState): Promise<EngineState> {
  const { store } = deps;
  const { deploymentId, spec } = state;
  const version = requireVersion(state);
  const record = await loadRecord(store, deploymentId);
  if (record.status === 'SUCCEEDED') return { ...state, weight: 100, ...withWarnings(await settleAfterPromotion(deps, record)) };

  // Asked before the alias moves wholly: a "no" rolls back from the weight the deployment is at.
  await gateOnWebhooks(deps, state, 'beforePromotion', { weight: state.weight ?? 0 }, record);
  const promoted = await changeAlias(deps, record, { version, weights: {} }, `promote version ${version}`);
  const previous = record.snapshot?.alias?.version ?? null;
  if (spec.hooks.afterTraffic) {
    await runHook(deps, spec.hooks.afterTraffic, { phase: 'afterTraffic', deploymentId, functionName: spec.function.name, alias: spec.alias, newVersion: version, previousVersion: previous });
  }
  const warnings = await recordPromotion(deps, state, record, version);
  return { ...state, weight: 100, aliasRevisionId: promoted.revisionId, ...withWarnings(warnings) };
}

/**
 * Records the promotion of `record`'s alias, already whole on `version` (its hook passed): the
 * evidence, the cleanup of old versions, SUCCEEDED and the ending's side effects. Never throws
 * (see {@link finishPromotion}); returns what was left to the sweeper.
 */
export async function recordPromotion(deps: Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock'>, state: EngineState, record: DeploymentRecord, version: string): Promise<string[]> {
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
  };
  return finishPromotion(deps, deploymentId, {
    plain,
    ending: async (current) => {
      await store.updateDeployment(deploymentId, { evidence });
      const removed = spec.cleanup ? await cleanupVersions(deps, current, spec.cleanup.keepVersions) : undefined;
      return {
        ...plain,
        message: `${promotedMessage}${removed?.length ? `; removed old versions ${removed.join(', ')}` : ''}`,
        data: { version, previousVersion: previous, evidence, ...(removed ? { removedVersions: removed } : {}) },
        notification: { kind: 'promoted', ...factsOf(current), evidence },
      };
    },
  });
}

function withWarnings(warnings: readonly string[]): Pick<EngineState, 'warnings'> {
  return warnings.length > 0 ? { warnings } : {};
}
