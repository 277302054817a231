import { ApprovalClosedError, ControlRefusedError, DeploymentFinishedError, InvalidTaskInputError, LockConflictError, NotFoundError, TransientAwsError, UndoRefusedError } from '../../model/engine-errors';
import { retryableOf, statusOf, type ApiErrorCode } from './error-codes';
import { ApiError } from './errors';
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
    // StartFailed is answered as final (4xx), but it is a fault of the installation: logged as one.
    return { response: json(known.status, body(known.code, known.message, requestId, known.details, known.retryable), headers), expected: known.status !== 500 && known.code !== 'StartFailed' };
  }
  return { response: json(statusOf('InternalError'), body('InternalError', `fledge could not handle this request; quote request id ${requestId} when reporting it`, requestId)), expected: false };
}

function knownError(error: unknown): { status: number; code: string; message: string; details?: unknown; retryable?: boolean } | undefined {
  if (error instanceof ApiError) return answer(error.code, error.message, error.details);
  if (error instanceof NotFoundError) return answer('NotFound', error.message);
  if (error instanceof DeploymentFinishedError) return answer('DeploymentFinished', error.message);
  if (error instanceof ApprovalClosedError) return answer('ApprovalClosed', error.message);
  if (error instanceof ControlRefusedError) return answer('ControlRefused', error.message);
  if (error instanceof LockConflictError) return answer('LockConflict', error.message, { holder: error.holder });
  if (error instanceof UndoRefusedError) return answer('UndoRefused', error.message, { reason: error.kind });
  // The store's own check of an opaque cursor or an alias-without-function filter.
  if (error instanceof InvalidTaskInputError) return answer('BadRequest', error.message);
  if (error instanceof TransientAwsError) return answer('TryAgain', 'a service fledge depends on is busy; retry the request (it is safe to)');
  return undefined;
}

/** The answer for `code`, with its status and (503s only) `retryable` from the code table. */
function answer(code: ApiErrorCode, message: string, details?: unknown): { status: number; code: string; message: string; details?: unknown; retryable?: boolean } {
  const retryable = retryableOf(code);
  return { status: statusOf(code), code, message, ...(details === undefined ? {} : { details }), ...(retryable === undefined ? {} : { retryable }) };
}

function body(code: string, message: string, requestId: string, details?: unknown, retryable?: boolean): ApiErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId, ...(retryable === undefined ? {} : { retryable }) } };
}
