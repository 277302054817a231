import { FledgeError } from '../errors';

/** Errors of starting a deployment. */
export class StarterError extends FledgeError {
  override readonly name: string = 'fledge.StarterError';
  override readonly code: string = 'StarterError';
}

/**
 * Step Functions refused to start the execution because of what it was given (the input is too
 * large or not valid, the name breaks its rules): the same request can never start, so the
 * deployment is refused (REJECTED), never retried. The message is fledge's own, fit to show.
 */
export class ExecutionRefusedError extends StarterError {
  override readonly name = 'fledge.ExecutionRefused';
  override readonly code = 'ExecutionRefused';
}
