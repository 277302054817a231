import type { EngineDeps } from './deps';
import { DeadlineExceededError, DeploymentFinishedError, StopRequestedError } from '../../model/engine-errors';
import type { DeploymentRecord, EngineState } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { loadRecord } from './record';

/*
 * What every group's NextStep and Check decide for the group as a whole, whichever way its
 * members shift (lockstep or ordered): the group's own gates, and which member's verdict leads.
 */

/** The group's own gates, before any member moves: back from an approval, a stop asked for, the deadline. */
export async function groupGate(deps: Pick<EngineDeps, 'store' | 'clock'>, state: EngineState): Promise<DeploymentRecord> {
  const { store, clock } = deps;
  let record = await loadRecord(store, state.deploymentId);
  if (isTerminal(record.status) || record.abandonedAt !== undefined) throw new DeploymentFinishedError(`deployment ${state.deploymentId} has ended (${record.status}) or is being rolled back`);
  if (record.status === 'AWAITING_APPROVAL') {
    record = (await store.updateDeployment(state.deploymentId, { status: 'RUNNING', approvalId: null }, { onlyIfStatusIn: ['AWAITING_APPROVAL'] })) ?? record;
  }
  if (record.stopRequested) throw new StopRequestedError(`stopped by ${record.stopRequested.by}${record.stopRequested.reason ? `: ${record.stopRequested.reason}` : ''}`);
  const deadline = state.deadline ?? record.deadline;
  if (deadline !== undefined && clock.now() > deadline) throw new DeadlineExceededError(`deployment ${state.deploymentId} ran past its timeout of ${state.spec.timeout} s`);
  return record;
}

/** The group's Check gates: ended or taken over meanwhile, or a stop asked for. */
export async function groupCheckGate(deps: Pick<EngineDeps, 'store'>, state: EngineState): Promise<DeploymentRecord> {
  const record = await loadRecord(deps.store, state.deploymentId);
  if (isTerminal(record.status) || record.abandonedAt !== undefined) throw new DeploymentFinishedError(`deployment ${state.deploymentId} has ended (${record.status}) or is being rolled back: no check`);
  if (record.stopRequested) throw new StopRequestedError(`stopped by ${record.stopRequested.by}${record.stopRequested.reason ? `: ${record.stopRequested.reason}` : ''}`);
  return record;
}

/** The group-wide fields of a member's result: the walk, the bake, the approval. */
export function groupFields(result: EngineState): Partial<EngineState> {
  return { stepIndex: result.stepIndex, weight: result.weight, action: result.action, bake: result.bake, approval: result.approval };
}

const CAUTION: Record<string, number> = { next: 0, promote: 0, bake: 1, approval: 2 };

/** The more cautious of two members' verdicts: an approval over a bake over moving on; among bakes, the one that waits longest. */
export function mostCautious(decided: EngineState | undefined, result: EngineState): EngineState {
  if (!decided) return result;
  const caution = CAUTION[result.action ?? 'bake'] ?? 1;
  const current = CAUTION[decided.action ?? 'bake'] ?? 1;
  if (caution > current || (caution === current && result.action === 'bake' && (result.bake?.until ?? 0) > (decided.bake?.until ?? 0))) return result;
  return decided;
}
