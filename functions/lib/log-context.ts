import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';
import { log } from './log';

/**
 * Powertools' `injectLambdaContext` for fledge's wrappers (`taskHandler`, `httpHandler`), so every
 * handler gets it once: each line of an invocation carries the function name, request id and
 * cold start, and the keys added during it (the correlation id) are dropped when it ends. The
 * event is never logged — an approval task's carries its task token, a page request its link
 * signature — whatever `POWERTOOLS_LOGGER_LOG_EVENT` says. Callers that pass no context (tests,
 * the local API server) get an empty one rather than a failure.
 */
export function logContext(): MiddlewareObj {
  const inject = injectLambdaContext(log, { logEvent: false, resetKeys: true });
  return {
    before: (request) => {
      request.context ??= {} as typeof request.context;
      return inject.before?.(request);
    },
    after: inject.after,
    onError: inject.onError,
  };
}

/**
 * Sets the invocation's correlation id: the deployment a task works on (so one deployment's
 * lines across every function can be found together), or the HTTP request id (the one quoted to
 * callers in an error, and in the HTTP API's access log).
 */
export function correlate(id: string | undefined): void {
  if (id) log.setCorrelationId(id);
}
