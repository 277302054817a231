import type { Carried } from './alias';
import type { AliasRouting, DeploymentRecord, EngineState } from '../../model/deployment';
import { routingFor } from './routing';
import { walkSteps } from '../spec/steps';

/**
 * What the execution's state knows about the alias: the revisions its tasks returned (and the
 * snapshot's), and the routings the task it was about to run (or that failed) could have set —
 * a task's change is a function of its input, so the state is the execution's own write-ahead
 * intent when the table's is out of reach.
 */
export function carriedBy(state: EngineState): Carried {
  const revisions = [state.aliasRevisionId, state.snapshot?.alias?.revisionId].filter((revision): revision is string => revision !== undefined);
  const targets: AliasRouting[] = [];
  const version = state.published?.version;
  const previous = state.snapshot?.alias?.version;
  if (version !== undefined && state.trafficSteps) {
    // NextStep's input (after PreTraffic or an approval), and a Check's (action `bake`): the
    // weight it sets — a Check at a pause's end applies the next weight itself (check-then-shift).
    if (state.action !== 'promote' && previous !== undefined) {
      const walk = walkSteps(state.trafficSteps, state.stepIndex ?? 0, state.spec.approval);
      if (walk.weight) targets.push(routingFor(previous, version, walk.weight.percent));
    }
    // Promote's input: the whole alias on the new version.
    if (state.action === 'promote') targets.push({ version, weights: {} });
  }
  return { revisions, targets };
}

/**
 * The deployment as the execution carries it, for restoring the alias when the record cannot be
 * read. `undefined` before Prepare took the snapshot: then fledge has changed no alias.
 */
export function recordFromState(state: EngineState, now: number): DeploymentRecord | undefined {
  if (!state.snapshot) return undefined;
  const startedAt = state.startedAt ?? now;
  return {
    deploymentId: state.deploymentId,
    functionName: state.spec.function.name,
    alias: state.spec.alias,
    status: 'RUNNING',
    spec: state.spec,
    artifact: state.artifact,
    startedBy: state.startedBy,
    source: state.source,
    createdAt: startedAt,
    updatedAt: now,
    startedAt,
    ...(state.deadline === undefined ? {} : { deadline: state.deadline }),
    snapshot: state.snapshot,
    ...(state.published ? { newVersion: state.published.version } : {}),
    ...(state.aliasRevisionId === undefined ? {} : { aliasRevisionId: state.aliasRevisionId }),
  };
}
