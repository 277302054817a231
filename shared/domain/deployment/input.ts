import { InvalidTaskInputError } from '../../model/engine-errors';
import type { EngineState } from '../../model/deployment';

/** Execution names (= deployment ids): 1–80 letters, digits, `-` and `_`. */
export const DEPLOYMENT_ID = /^[A-Za-z0-9_-]{1,80}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the state a task receives. The spec itself was validated by the starter (the spec
 * parser); this catches hand-made or corrupted execution inputs before any AWS call.
 */
export function parseEngineState(event: unknown): EngineState {
  if (!isObject(event)) throw new InvalidTaskInputError('task input must be an object');
  const { deploymentId, spec, artifact, startedBy, source } = event;
  if (typeof deploymentId !== 'string' || !DEPLOYMENT_ID.test(deploymentId)) throw new InvalidTaskInputError('deploymentId must be 1–80 letters, digits, "-" or "_"');
  if (!isObject(spec)) throw new InvalidTaskInputError(`deployment ${deploymentId}: spec missing`);
  if (!isObject(spec.function) || typeof spec.function.name !== 'string' || spec.function.name === '') throw new InvalidTaskInputError(`deployment ${deploymentId}: spec.function.name missing`);
  if (typeof spec.alias !== 'string' || spec.alias === '') throw new InvalidTaskInputError(`deployment ${deploymentId}: spec.alias missing`);
  if (!isObject(spec.strategy) || !isObject(spec.health) || !isObject(spec.hooks) || !isObject(spec.approval)) throw new InvalidTaskInputError(`deployment ${deploymentId}: spec is not normalised (strategy, health, hooks, approval)`);
  if (typeof spec.timeout !== 'number' || !(spec.timeout > 0)) throw new InvalidTaskInputError(`deployment ${deploymentId}: spec.timeout must be a positive number of seconds`);
  if (!isObject(artifact) || !((typeof artifact.bucket === 'string' && typeof artifact.key === 'string') || typeof artifact.imageUri === 'string' || isAdopted(artifact))) {
    throw new InvalidTaskInputError(`deployment ${deploymentId}: artifact must be {bucket, key, versionId?}, {imageUri}, {publishedVersion} or {fromLatest: true}`);
  }
  if (typeof startedBy !== 'string' || typeof source !== 'string') throw new InvalidTaskInputError(`deployment ${deploymentId}: startedBy and source must be strings`);
  return event as unknown as EngineState;
}

/** An adopted version: a numbered version, or the highest one (resolved by Prepare). */
function isAdopted(artifact: Record<string, unknown>): boolean {
  return (typeof artifact.publishedVersion === 'string' && /^[1-9]\d{0,9}$/.test(artifact.publishedVersion)) || artifact.fromLatest === true;
}

/** Input of the RequestApproval task: `{state, taskToken}`. */
export function parseApprovalTaskInput(event: unknown): { state: EngineState; taskToken: string } {
  if (!isObject(event) || typeof event.taskToken !== 'string' || event.taskToken === '') throw new InvalidTaskInputError('approval task input must be {state, taskToken}');
  return { state: parseEngineState(event.state), taskToken: event.taskToken };
}
