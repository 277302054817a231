import type { DeploymentStore } from '../../ports/deployment-store';
import { NotFoundError } from '../../model/engine-errors';
import type { DeploymentRecord, DeploymentStatus, ExecutionInput } from '../../model/deployment';
import { TERMINAL_STATUSES } from '../../model/deployment';

/** Reads the deployment record, which every task needs; a missing one is a bug or a hand-made input. */
export async function loadRecord(store: DeploymentStore, deploymentId: string): Promise<DeploymentRecord> {
  const record = await store.getDeployment(deploymentId);
  if (!record) throw new NotFoundError(`deployment ${deploymentId} has no record`);
  return record;
}

/** Statuses from which the engine may still end a deployment. */
export const OPEN_STATUSES: readonly DeploymentStatus[] = ['PENDING', 'QUEUED', 'RUNNING', 'AWAITING_APPROVAL'];

/** Statuses the safety net may still repair: open ones, and FAILED (a rollback that could not finish). */
export const REPAIRABLE_STATUSES: readonly DeploymentStatus[] = [...OPEN_STATUSES, 'FAILED'];

export { TERMINAL_STATUSES };

/**
 * The name a deployment's alias lock is held under: the function's, qualified by the target's
 * account and region for one target of a wave run (the same function and alias in two targets are
 * two aliases, deployed at once in one wave).
 */
export function lockNameOf(record: Pick<DeploymentRecord, 'functionName' | 'target'>): string {
  return record.target === undefined ? record.functionName : `${record.functionName}@${record.target.accountId}/${record.target.region}`;
}

/**
 * The record an execution creates for itself when no starter did (Prepare, the wave runner):
 * `PENDING`, from what the execution was started with, the target named when it has one.
 */
export function pendingRecord(input: ExecutionInput, now: number): DeploymentRecord {
  const { deploymentId, spec } = input;
  return {
    deploymentId,
    functionName: spec.function.name,
    alias: spec.alias,
    status: 'PENDING',
    spec,
    artifact: input.artifact,
    startedBy: input.startedBy,
    source: input.source,
    createdAt: now,
    updatedAt: now,
    ...(input.target !== undefined && { target: { id: input.target.id, accountId: input.target.accountId, region: input.target.region } }),
    ...(input.parentId !== undefined && { parentId: input.parentId }),
  };
}
