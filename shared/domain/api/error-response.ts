import { ApprovalClosedError, DeploymentFinishedError, InvalidTaskInputError, LockConflictError, NotFoundError, TransientAwsError } from '../deployment/errors';
import { ApiError, ServiceUnavailableError } from './errors';
import { json, type HttpResponse } from './http';

/** The body of every API error. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: unknown;
    readonly requestId?: string;
    /** Only on 503s: whether sending the same request again is right. */
    readonly retryable?: boolean;
  };
}

/** Seconds a caller should wait before a retry fledge asks for (the SDK has retried already). */
const RETRY_AFTER_SECONDS = '1';

/**
 * Maps an error to the API's response: fledge's known errors to their 4xx/503 with their own
 * message, anything else to a 500 that names only the request id (internals stay in the log).
 * Returns whether the error was an expected one, so the caller knows how loudly to log it.
 */
export function errorResponse(error: unknown, requestId: string): { response: HttpResponse; expected: boolean } {
  const known = knownError(error);
  if (known) {
    const headers = known.retryable ? { 'retry-after': RETRY_AFTER_SECONDS } : undefined;
    // A 500 fledge knows (StartFailed) is still a fault of the installation: logged as one.
    return { response: json(known.status, body(known.code, known.message, requestId, known.details, known.retryable), headers), expected: known.status !== 500 };
  }
  return { response: json(500, body('InternalError', `fledge could not handle this request; quote request id ${requestId} when reporting it`, requestId)), expected: false };
}

function knownError(error: unknown): { status: number; code: string; message: string; details?: unknown; retryable?: boolean } | undefined {
  if (error instanceof ServiceUnavailableError) return { status: error.status, code: error.code, message: error.message, details: error.details, retryable: error.retryable };
  if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message, details: error.details };
  if (error instanceof NotFoundError) return { status: 404, code: 'NotFound', message: error.message };
  if (error instanceof DeploymentFinishedError) return { status: 409, code: 'DeploymentFinished', message: error.message };
  if (error instanceof ApprovalClosedError) return { status: 409, code: 'ApprovalClosed', message: error.message };
  if (error instanceof LockConflictError) return { status: 409, code: 'LockConflict', message: error.message, details: { holder: error.holder } };
  // The store's own check of an opaque cursor or an alias-without-function filter.
  if (error instanceof InvalidTaskInputError) return { status: 400, code: 'BadRequest', message: error.message };
  if (error instanceof TransientAwsError) return { status: 503, code: 'TryAgain', message: 'a service fledge depends on is busy; retry the request (it is safe to)', retryable: true };
  return undefined;
}

function body(code: string, message: string, requestId: string, details?: unknown, retryable?: boolean): ApiErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId, ...(retryable === undefined ? {} : { retryable }) } };
}
