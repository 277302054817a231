import type { TaskContext, TaskHandler } from './task-handler';

/**
 * A handler built on first invocation (once per cold start) rather than at import, so importing a
 * handler module for its `createHandler` factory needs no Lambda environment; a misconfigured
 * environment fails the first invocation with a message naming every problem.
 */
export function lazyHandler<T>(build: () => TaskHandler<T>): TaskHandler<T> {
  let built: TaskHandler<T> | undefined;
  return async (event: unknown, context: TaskContext) => {
    built ??= build();
    return built(event, context);
  };
}
