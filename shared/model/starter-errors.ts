import { FledgeError } from './errors';

/** Errors of starting a deployment; named `fledge.<code>` like the engine's. */
export class StarterError extends FledgeError {
  static override readonly namespace: string | undefined = 'fledge';
  static override readonly code: string = 'StarterError';
}

/**
 * Step Functions refused to start the execution because of what it was given (the input is too
 * large or not valid, the name breaks its rules): the same request can never start, so the
 * deployment is refused (REJECTED), never retried. The message is fledge's own, fit to show.
 */
export class ExecutionRefusedError extends StarterError {
  static override readonly code: string = 'ExecutionRefused';
}

/**
 * AWS failed transiently (throttling, 5xx, a timeout) while a deployment was being started, and
 * the start could not be finished in this attempt. `started` says what is known:
 *
 * - `no`: no execution was started (the failure came before StartExecution, or Step Functions
 *   confirmed afterwards that none exists). Sending the request again is right.
 * - `unknown`: StartExecution was called and did not answer; the execution may exist. Only a
 *   retry under the same deployment id (an S3 event, an API request with the same
 *   Idempotency-Key) is right: it resumes the deployment and starts nothing twice.
 *
 * A record left `PENDING` carries a start deadline past which the repair loop settles it
 * (`expireStalledStart`). The message is fledge's own; AWS's words stay in `cause`.
 */
export class StartInterruptedError extends StarterError {
  static override readonly code: string = 'StartInterrupted';
  constructor(
    message: string,
    /** The deployment being started. */
    readonly deploymentId: string,
    readonly started: 'no' | 'unknown',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
