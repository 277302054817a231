
/**
 * A handler built on first invocation (once per cold start) rather than at import, so importing a
 * handler module for its `createHandler` factory needs no Lambda environment; a misconfigured
 * environment fails the first invocation with a message naming every problem.
 */
export function lazyHandler<E, C, R>(build: () => (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  let built: ((event: E, context: C) => Promise<R>) | undefined;
  return async (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
