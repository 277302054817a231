import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { PayloadTooLargeError } from '../../shared/interfaces/http/errors';
import { MAX_BODY_BYTES, toHttpRequest, type HttpApiEvent, type HttpRequest, type HttpResponse } from '../../shared/interfaces/http/http';
import { log } from './log';
import { correlate, logContext } from './log-context';
import type { TaskContext } from './task-handler';

/** An HTTP API (payload 2.0) handler as Lambda and `local/api-server.ts` call it. */
export type HttpHandler = (event: HttpApiEvent, context?: TaskContext) => Promise<HttpResponse>;

/** Turns an error into the response the caller sees; `expected` false means it is logged as a bug. */
export type ErrorMapper = (error: unknown, requestId: string) => { response: HttpResponse; expected: boolean };

/**
 * The project-wide wrapper for fledge's HTTP functions (the API and the approval pages): middy
 * with Powertools' `injectLambdaContext` (see {@link logContext}), a `before` hook that normalises
 * the payload-2.0 event into an {@link HttpRequest} (headers lower-cased, body decoded, body size
 * checked; its request id becomes the logs' correlation id) and one `onError` that maps known
 * errors to responses and hides everything else behind a request id. Events are never logged whole:
 * an approval link's query carries its signature.
 *
 * @param name the function, for logs.
 * @param route the single call into the domain.
 * @param mapError how errors look to this function's callers (JSON for the API, HTML for pages).
 */
export function httpHandler(name: string, route: (request: HttpRequest) => Promise<HttpResponse>, mapError: ErrorMapper): HttpHandler {
  const normalise: MiddlewareObj = {
    name: 'fledge-http-request',
    before: (request) => {
      const context = request.context as TaskContext | undefined;
      const normalised = toHttpRequest(request.event as HttpApiEvent, context?.awsRequestId ?? randomUUID());
      request.event = normalised;
      correlate(normalised.requestId);
      if (normalised.body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(`the request body has ${normalised.body.length} bytes; at most ${MAX_BODY_BYTES} are accepted`);
    },
  };
  const errors: MiddlewareObj = {
    name: 'fledge-http-errors',
    onError: (request) => {
      const event = request.event as HttpRequest | HttpApiEvent;
      const requestId = 'requestId' in event && typeof event.requestId === 'string' ? event.requestId : ((request.context as TaskContext | undefined)?.awsRequestId ?? randomUUID());
      const { response, expected } = safely(mapError, request.error, requestId);
      const e = request.error as Error | undefined;
      const where = { method: 'method' in event ? event.method : undefined, path: 'path' in event ? event.path : undefined, requestId, status: response.statusCode };
      if (expected) log.info(`${name}: request refused`, { ...where, error: e?.name, errorMessage: e?.message });
      else log.error(`${name} failed unexpectedly`, { ...where, error: e?.name, errorMessage: e?.message, stack: e?.stack });
      request.response = response;
    },
  };
  return middy({ timeoutEarlyInMillis: 0 })
    .use([logContext(), errors, normalise])
    .handler(async (request: unknown) => route(request as HttpRequest)) as unknown as HttpHandler;
}

/**
 * The mapper's answer, or — should the mapper itself fail — a bare 500 naming only the request
 * id: whatever went wrong, no internal message, exception name or stack reaches the caller.
 */
function safely(mapError: ErrorMapper, error: unknown, requestId: string): { response: HttpResponse; expected: boolean } {
  try {
    return mapError(error, requestId);
  } catch (failure) {
    log.error('the error mapper failed', { requestId, error: (failure as Error | undefined)?.name, errorMessage: (failure as Error | undefined)?.message });
    return {
      response: { statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: `fledge could not handle this request; quote request id ${requestId} when reporting it\n` },
      expected: false,
    };
  }
}
