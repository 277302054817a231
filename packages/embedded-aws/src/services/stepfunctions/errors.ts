import { LocalAwsError } from '../../errors';

/**
 * An error the embedded Step Functions answers a client with: AWS's error code (the SDK's
 * `error.name`, e.g. `ExecutionAlreadyExists`), HTTP status and message.
 */
export class StepFunctionsApiError extends LocalAwsError {
  override readonly name: string = 'StepFunctionsApiError';

  constructor(
    /** AWS's error code as the Step Functions API model names it. */
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const client = (code: string) => (message: string): StepFunctionsApiError => new StepFunctionsApiError(code, 400, message);

export const invalidArn = client('InvalidArn');
export const invalidName = client('InvalidName');
export const invalidDefinition = client('InvalidDefinition');
export const invalidExecutionInput = client('InvalidExecutionInput');
export const invalidOutput = client('InvalidOutput');
export const invalidToken = client('InvalidToken');
export const validationError = client('ValidationException');
export const stateMachineAlreadyExists = client('StateMachineAlreadyExists');
export const stateMachineDoesNotExist = client('StateMachineDoesNotExist');
export const executionAlreadyExists = client('ExecutionAlreadyExists');
export const executionDoesNotExist = client('ExecutionDoesNotExist');
export const taskDoesNotExist = client('TaskDoesNotExist');
export const taskTimedOut = client('TaskTimedOut');
export const unknownOperation = client('UnknownOperationException');
export const missingRequiredParameter = client('MissingRequiredParameter');

/**
 * A state failed while an execution ran: the `Error` and `Cause` a Retry or Catch matches on, as
 * AWS records them in TaskFailed / ExecutionFailed events. Never rendered to an API client.
 */
export class StateFailure extends LocalAwsError {
  override readonly name: string = 'StateFailure';

  constructor(
    /** The ASL error name: `States.Timeout`, `Lambda.TooManyRequestsException`, a function's `errorType`. */
    readonly error: string,
    /** The cause as AWS shows it (a function error's whole payload, as a JSON string). */
    readonly causeText: string | undefined,
    /** `States.Runtime` and friends cannot be retried nor caught (ASL spec). */
    readonly recoverable = true,
    options?: { cause?: unknown },
  ) {
    super(`${error}${causeText ? `: ${causeText}` : ''}`, options);
  }
}

/** The execution was stopped, timed out or the engine shut down: unwinds a running state silently. */
export class ExecutionInterrupted extends LocalAwsError {
  override readonly name = 'ExecutionInterrupted';
}
