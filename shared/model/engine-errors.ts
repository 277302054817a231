import { FledgeError } from './errors';

/**
 * Errors of the deployment engine. Each class declares its `code`; its `name`, derived as
 * `fledge.<code>`, is what the state machine matches in its Retry and Catch clauses: a Lambda task
 * that throws one surfaces it as the task's error name, so renaming one is a change to
 * `state-machines/deployment.asl.yml` too (test/engine/error-contract.test.ts holds the two together).
 */
export class EngineError extends FledgeError {
  static override readonly namespace: string | undefined = 'fledge';
  static override readonly code: string = 'EngineError';
}

/** Throttling, a 5xx, or "an update is in progress": the same call is expected to work later. */
export class TransientAwsError extends EngineError {
  static override readonly code: string = 'Transient';
}

/** The alias was changed by someone else since fledge last read or wrote it. */
export class AliasDriftedError extends EngineError {
  static override readonly code: string = 'AliasDrifted';
}

/** The function (or the named version or alias) does not exist. */
export class FunctionNotFoundError extends EngineError {
  static override readonly code: string = 'FunctionNotFound';
}

/** Another deployment holds the function+alias lock. */
export class LockConflictError extends EngineError {
  static override readonly code: string = 'LockConflict';
  constructor(
    message: string,
    /** The deployment that holds the lock. */
    readonly holder: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The deployment cannot start on the alias as it is (for example it already has weighted routing). */
export class DeploymentRefusedError extends EngineError {
  static override readonly code: string = 'Refused';
}

/** `$LATEST` ended in `LastUpdateStatus=Failed`, or someone else changed it while fledge published. */
export class FunctionUpdateFailedError extends EngineError {
  static override readonly code: string = 'FunctionUpdateFailed';
}

/**
 * A version the deployment needs cannot take traffic: the new version stayed `Pending` past the
 * limit or ended `Failed`, or the rollback target (the alias's version before the deployment) is
 * gone or not Active. Raised before any weight moves.
 */
export class VersionNotReadyError extends EngineError {
  static override readonly code: string = 'VersionNotReady';
}

/**
 * Lambda cannot split an alias between the two versions: they have different execution roles or
 * dead-letter queue configurations (AWS's rule for weighted aliases). Raised before any weight
 * moves, or when Lambda refuses the weighted alias update (the alias is then unchanged).
 */
export class IncompatibleVersionsError extends EngineError {
  static override readonly code: string = 'IncompatibleVersions';
}

/**
 * Provisioned concurrency for the new version cannot be had: Lambda refused it (the account's
 * unreserved minimum, a version whose PC an alias already holds), its allocation FAILED, or it was
 * not READY within the spec's limit. Raised before the weight it was for moves.
 */
export class ProvisionedConcurrencyError extends EngineError {
  static override readonly code: string = 'ProvisionedConcurrency';
}

/** A CloudWatch alarm that judges the deployment is in ALARM (or does not exist). */
export class HealthCheckFailedError extends EngineError {
  static override readonly code: string = 'HealthCheckFailed';
}

/**
 * A pause ended (extended, if the spec allows) before the new version served the invocations the
 * spec requires, and the spec says to roll back: too little evidence is never health.
 */
export class InsufficientEvidenceError extends EngineError {
  static override readonly code: string = 'InsufficientEvidence';
}

/** The smoke test, or a beforeTraffic/afterTraffic hook, failed. */
export class VerificationFailedError extends EngineError {
  static override readonly code: string = 'VerificationFailed';
}

/** A webhook at a gating point answered something other than 2xx (after its retries, for a retryable status). */
export class WebhookRejectedError extends EngineError {
  static override readonly code: string = 'WebhookRejected';
}

/** A webhook at a gating point gave no answer: every try timed out or could not connect. */
export class WebhookUnreachableError extends EngineError {
  static override readonly code: string = 'WebhookUnreachable';
}

/** The deployment ran past the spec's `timeout`. */
export class DeadlineExceededError extends EngineError {
  static override readonly code: string = 'DeadlineExceeded';
}

/**
 * Another deployment holds the alias and the spec says `onConflict: enqueue | supersede`: the
 * execution waits (the state machine's `Queued` state) and Prepare tries again.
 */
export class QueuedError extends EngineError {
  static override readonly code: string = 'Queued';
}

/** A person asked to stop the deployment. */
export class StopRequestedError extends EngineError {
  static override readonly code: string = 'StopRequested';
}

/** An approver rejected the deployment. */
export class ApprovalRejectedError extends EngineError {
  static override readonly code: string = 'ApprovalRejected';
}

/** The approval was already decided, expired, or its task is gone: nothing was changed. */
export class ApprovalClosedError extends EngineError {
  static override readonly code: string = 'ApprovalClosed';
}

/** No deployment (or approval) with that id. */
export class NotFoundError extends EngineError {
  static override readonly code: string = 'NotFound';
}

/** A control (pause, resume) that does not apply to the deployment as it stands: nothing was changed. */
export class ControlRefusedError extends EngineError {
  static override readonly code: string = 'ControlRefused';
}

/** The deployment is finished: a stop or promote request comes too late. */
export class DeploymentFinishedError extends EngineError {
  static override readonly code: string = 'DeploymentFinished';
}

/**
 * A `fledge rollback` (an undo after success) that cannot be done as asked: nothing to undo, the
 * alias already on the target, a target version that is gone or not Active, an alias that splits
 * traffic. Nothing was changed. `kind` says which, for callers that branch on it.
 */
export class UndoRefusedError extends EngineError {
  static override readonly code: string = 'UndoRefused';
  constructor(
    message: string,
    /** Which refusal: `nothing-to-undo`, `already-on-version`, `version-not-kept`, `alias-split`. */
    readonly kind: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A task received input it cannot work with: a bug or a hand-made execution input. */
export class InvalidTaskInputError extends EngineError {
  static override readonly code: string = 'InvalidInput';
}

/**
 * The deployment's artifact cannot be read: S3 (or ECR) says it does not exist or may not be read.
 * One error for both, because S3 answers 403, not 404, for a missing key to a caller without
 * `s3:ListBucket`: the two cannot be told apart safely. Retrying does not help.
 */
export class ArtifactUnavailableError extends EngineError {
  static override readonly code: string = 'ArtifactUnavailable';
  constructor(
    /** Where the artifact was looked for: `s3://bucket/key` (with its version) or the image URI. */
    readonly location: string,
    /** What was answered, in words (`S3 answered AccessDenied`); no SDK internals. */
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(`artifact not found or not readable: ${location}${detail ? ` (${detail})` : ''}`, options);
  }
}

/**
 * Another finisher of the same ending holds the claim on sending its notification: it is being
 * sent, so this one does not send it; a later pass finds it sent, or takes the claim over once its
 * lease has run out.
 */
export class NotificationInFlightError extends EngineError {
  static override readonly code: string = 'NotificationInFlight';
}

/**
 * An event did not get through to one of its channels (EventBridge, a webhook, GitHub), and
 * whether trying again may help. Never fails a deployment: the engine records it and goes on.
 */
export class ChannelDeliveryError extends EngineError {
  static override readonly code: string = 'ChannelDelivery';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An AWS call failed for a reason that retrying will not fix (access denied, validation). */
export class AwsCallFailedError extends EngineError {
  static override readonly code: string = 'AwsCallFailed';
}

/** The deployment's own configuration is missing or wrong (environment of a task function). */
export class ConfigurationError extends EngineError {
  static override readonly code: string = 'Configuration';
}

/**
 * Whether `error` is an AWS call that failed (throttled, 5xx, access denied, …) as the adapters
 * translate them — as opposed to a decision of fledge's (drift, refusal) or a bug.
 */
export function isAwsFailure(error: unknown): boolean {
  return error instanceof TransientAwsError || error instanceof AwsCallFailedError;
}

/**
 * fledge cannot act in a target account: its role there cannot be assumed (no such role, a trust
 * policy that does not name fledge's account, a wrong external id). Never retried: the same call
 * gets the same answer until the target account is fixed.
 */
export class TargetAccessDeniedError extends EngineError {
  static override readonly code: string = 'TargetAccessDenied';
}
