import { InvalidTaskInputError } from '../../shared/model/engine-errors';
import { parseEngineState } from '../../shared/domain/deployment/input';
import type { EngineState } from '../../shared/model/deployment';

/**
 * The payload every engine task receives from the state machine: `{task, state}`, `task` naming
 * the state (`NextStep`, `Promote`, …) so one function can serve the states that share its
 * privileges, and `state` the whole execution state.
 */
export function taskInput<T extends string>(allowed: readonly T[]) {
  return (event: unknown): { task: T; state: EngineState } => {
    const record = (event ?? {}) as { task?: unknown; state?: unknown };
    if (typeof record.task !== 'string' || !(allowed as readonly string[]).includes(record.task)) {
      throw new InvalidTaskInputError(`task must be one of ${allowed.join(', ')}, got ${JSON.stringify(record.task ?? null)}`);
    }
    return { task: record.task as T, state: parseEngineState(record.state) };
  };
}
