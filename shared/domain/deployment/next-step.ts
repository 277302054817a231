import { changeAlias } from './alias';
import { startBake } from './bake';
import type { EngineDeps } from './deps';
import { DeadlineExceededError, InvalidTaskInputError, StopRequestedError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import type { EngineState } from '../../model/deployment';
import { requireVersion } from './pre-traffic';
import { loadRecord } from './record';
import { warmFor } from './provisioned-concurrency';
import { routingFor } from './routing';
import { checkIntervalOf } from '../spec/check-interval';
import { walkSteps } from '../spec/steps';
import { gateOnWebhooks } from './webhooks';
import { factsOf } from './finish';
import { appendAndPublish } from './publish-events';
import { publishApprovalDecision } from './approval';

/**
 * The NextStep task: applies the next weight (consecutive setWeights collapse into one alias
 * update) and stops at the next bake, approval, or the end, telling the `Route` choice which.
 * Safe to retry: the alias change recognises its own earlier success.
 */
export async function nextStep(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock' | 'webhooks'> & Partial<Pick<EngineDeps, 'notifier'>>, input: EngineState): Promise<EngineState> {
  let state = input;
  const { store, clock } = deps;
  const { deploymentId, spec } = state;
  const version = requireVersion(state);
  if (!state.trafficSteps) throw new InvalidTaskInputError(`deployment ${deploymentId}: no traffic steps in the state`);
  const now = clock.now();
  let record = await loadRecord(store, deploymentId);
  if (record.status === 'AWAITING_APPROVAL') {
    // Back from an approval that was granted: the deployment runs again.
    record = (await store.updateDeployment(deploymentId, { status: 'RUNNING', approvalId: null }, { onlyIfStatusIn: ['AWAITING_APPROVAL'] })) ?? record;
  }
  // Back from an approval: its decision (made through the API or a page) goes to every channel from here.
  await publishApprovalDecision(deps, record, state);
  // A stop asked for before the first bake (or in a strategy without one) is honoured here.
  if (record.stopRequested) throw new StopRequestedError(`stopped by ${record.stopRequested.by}${record.stopRequested.reason ? `: ${record.stopRequested.reason}` : ''}`);
  const deadline = state.deadline ?? record.deadline;
  if (deadline !== undefined && now > deadline) throw new DeadlineExceededError(`deployment ${deploymentId} ran past its timeout of ${spec.timeout} s`);

  const walk = walkSteps(state.trafficSteps, state.stepIndex ?? 0, spec.approval);
  let weight = state.weight ?? 0;
  let aliasRevisionId = state.aliasRevisionId;
  const previous = record.snapshot?.alias?.version;
  // Provisioned concurrency first: the weight (or the promotion) moves only once the new version
  // has READY PC for it; until then the WarmUp state brings the execution back here.
  const promoting = state.provisioned?.promote === true;
  const target = promoting || walk.stop.kind === 'promote' ? 100 : walk.weight?.percent;
  if (target !== undefined && previous !== undefined) {
    const warmth = await warmFor(deps, state, record, version, target);
    if (warmth.kind === 'waiting') return { ...state, action: 'warm', provisioned: promoting ? { ...warmth.plan, promote: true } : warmth.plan, bake: undefined, approval: undefined };
    state = { ...state, provisioned: warmth.plan };
  }
  if (promoting) return { ...state, action: 'promote', bake: undefined, approval: undefined };
  if (walk.weight && walk.stop.kind !== 'promote' && previous !== undefined) {
    const percent = walk.weight.percent;
    // Asked before the alias moves: a "no" rolls back from the weight the deployment is at.
    await gateOnWebhooks(deps, state, 'beforeStep', { weight, step: walk.weight.stepIndex, nextWeight: percent }, record);
    const routing = routingFor(previous, version, percent);
    aliasRevisionId = (await changeAlias(deps, record, routing, `set ${percent}% on version ${version}`)).revisionId;
    weight = percent;
    await appendAndPublish(deps, event(deploymentId, eventKeys.weight(walk.weight.stepIndex), 'weight', clock.now(), `${percent}% of traffic on version ${version}`, { percent, version, previousVersion: previous }), {
      kind: 'weight',
      ...factsOf({ ...record, newVersion: version }),
      percent,
      version,
    });
  }
  const base = { ...state, stepIndex: walk.nextIndex, weight, ...(aliasRevisionId === undefined ? {} : { aliasRevisionId }), bake: undefined, approval: undefined };
  switch (walk.stop.kind) {
    case 'bake':
      return { ...base, action: 'bake', bake: startBake(clock.now(), walk.stop.duration, checkIntervalOf(spec.health)) };
    case 'approval': {
      const left = deadline === undefined ? walk.stop.timeout : Math.floor((deadline - clock.now()) / 1000);
      if (left <= 0) throw new DeadlineExceededError(`deployment ${deploymentId} has no time left for its approval before its timeout`);
      const message = walk.stop.message;
      return { ...base, action: 'approval', approval: { timeoutSeconds: Math.max(1, Math.min(walk.stop.timeout, left)), stepIndex: walk.stop.stepIndex, ...(message === undefined ? {} : { message }) } };
    }
    case 'promote':
      return { ...base, action: 'promote' };
  }
}
