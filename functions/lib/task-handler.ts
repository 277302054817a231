import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { FledgeError } from '../../shared/model/errors';
import { log } from './log';
import { correlate, logContext } from './log-context';

/** The Lambda context fields fledge's handlers use (the embedded Lambda provides these too). */
export interface TaskContext {
  readonly functionName?: string;
  readonly awsRequestId?: string;
}

/** A task handler as Lambda (and the embedded Lambda) calls it. */
export type TaskHandler<TResult> = (event: unknown, context: TaskContext) => Promise<TResult>;

/** Thrown for failures that are not fledge's own: its message is generic, the details go to the log. */
export class UnexpectedTaskError extends FledgeError {
  static override readonly namespace: string | undefined = 'fledge';
  static override readonly code: string = 'Unexpected';
}

/**
 * The project-wide wrapper for the engine's task functions: middy with Powertools'
 * `injectLambdaContext` (see {@link logContext}), a `before` hook that parses and checks the event
 * into the domain's input (and takes its deployment id as the logs' correlation id), and one
 * `onError` that lets fledge's own errors through unchanged (their `name` is what the state
 * machine's Retry/Catch match) and turns anything else into `fledge.Unexpected` with internals
 * logged, not returned.
 *
 * @param name the task, for logs.
 * @param parse checks the raw event; throws `fledge.InvalidInput`.
 * @param run the single call into the domain.
 */
export function taskHandler<TInput, TResult>(name: string, parse: (event: unknown) => TInput, run: (input: TInput) => Promise<TResult>): TaskHandler<TResult> {
  const validation: MiddlewareObj = {
    name: 'fledge-parse',
    // The handler body then receives the checked input in place of the raw event.
    before: (request) => {
      request.event = parse(request.event);
      correlate(deploymentIdOf(request.event));
    },
  };
  const errors: MiddlewareObj = {
    name: 'fledge-errors',
    onError: (request) => {
      const error = request.error;
      const requestId = (request.context as TaskContext | undefined)?.awsRequestId;
      if (error instanceof FledgeError) {
        log.warn(`${name} failed`, { error: error.name, errorMessage: error.message, requestId });
        return;
      }
      const e = error as Error | undefined;
      log.error(`${name} failed unexpectedly`, { error: e?.name, errorMessage: e?.message, stack: e?.stack, requestId });
      request.error = new UnexpectedTaskError(`${name} failed unexpectedly (request ${requestId ?? 'unknown'}); details are in the function's log`, { cause: error });
    },
  };
  // timeoutEarlyInMillis 0: the engine's tasks end by themselves; an early abort would only
  // misfire under the embedded Lambda's compressed clock.
  return middy({ timeoutEarlyInMillis: 0 })
    .use([logContext(), errors, validation])
    .handler(async (input: unknown) => run(input as TInput)) as unknown as TaskHandler<TResult>;
}

/** The deployment a task's input is about: `{deploymentId}` (the safety net) or `{state: {deploymentId}}` (engine tasks). */
function deploymentIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { deploymentId, state } = input as { deploymentId?: unknown; state?: { deploymentId?: unknown } };
  const id = deploymentId ?? (typeof state === 'object' && state !== null ? state.deploymentId : undefined);
  return typeof id === 'string' ? id : undefined;
}
