import { FledgeError } from '../../model/errors';
import { retryableOf, statusOf, type ApiErrorCode, type ApiErrorCodeWith } from './error-codes';

/**
 * An error the API reports to its caller as `{error: {code, message, details}}` with `status`.
 * Its status (and, for a 503, whether a retry is right) is the code's, from {@link API_ERROR_CODES}:
 * a code cannot be answered with two statuses.
 */
export class ApiError extends FledgeError {
  // Every API error is logged as `ApiError`; its code says which.
  override readonly name: string = 'ApiError';
  /** The HTTP status of `code`. */
  readonly status: number;
  /** On 503s: whether sending the same request again is right; undefined otherwise. */
  readonly retryable: boolean | undefined;
  constructor(
    override readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = statusOf(code);
    this.retryable = retryableOf(code);
  }
}

/** 400: the request itself is wrong (bad query parameter, malformed JSON, bad cursor). */
export class BadRequestError extends ApiError {
  constructor(message: string, details?: unknown, options?: { cause?: unknown }) {
    super('BadRequest', message, details, options);
  }
}

/** Where in a request a field is. */
export type InputLocation = 'path' | 'query' | 'header' | 'body';

/** One thing wrong with a request's input: which field, where, what is wrong, and the limit it broke. */
export interface InputProblem {
  readonly in: InputLocation;
  readonly field: string;
  readonly message: string;
  /** The rule the value must meet, e.g. `1-80 characters: letters, digits, "-" or "_"`. */
  readonly limit?: string;
}

const LABEL: Record<InputLocation, string> = { path: 'path parameter', query: 'query parameter', header: 'header', body: 'body field' };

/**
 * 400: one or more fields of the request break their limits. `details` names the first one
 * (`field`, `in`, `limit`) and lists every one in `problems` (query problems also carry
 * `parameter`, the name clients of the list endpoint read); `omitted` counts problems not
 * listed, so a flood of bad fields gets a short answer. The whole body is the field `body`.
 */
export class InvalidInputError extends BadRequestError {
  constructor(
    readonly problems: readonly InputProblem[],
    options?: { cause?: unknown; omitted?: number },
  ) {
    const first = problems[0]!;
    const listed = problems.map((p) => ({ ...(p.in === 'query' ? { parameter: p.field } : {}), ...p }));
    const omitted = options?.omitted ?? 0;
    const said = problems.map((p) => `${p.in === 'body' && p.field === 'body' ? 'the body' : `${LABEL[p.in]} "${p.field}"`} ${p.message}`);
    super(
      `invalid request: ${said.join('; ')}${omitted > 0 ? `; and ${omitted} more` : ''}`,
      { field: first.field, in: first.in, ...(first.limit ? { limit: first.limit } : {}), problems: listed, ...(omitted > 0 ? { omitted } : {}) },
      options,
    );
  }
}

/**
 * 400 `InvalidCursor`: the `cursor` was not issued by this API for this query — forged, altered,
 * truncated, or taken from a list with other filters. Following it can never work.
 */
export class InvalidCursorError extends ApiError {
  constructor(message: string) {
    super('InvalidCursor', message, { field: 'cursor', in: 'query', problems: [{ parameter: 'cursor', in: 'query', field: 'cursor', message }] });
  }
}

/** 404: no such route or resource. */
export class ResourceNotFoundError extends ApiError {
  constructor(message: string, details?: unknown) {
    super('NotFound', message, details);
  }
}

/** 405: the path exists but not with this method. */
export class MethodNotAllowedError extends ApiError {
  constructor(message: string, readonly allowed: readonly string[]) {
    super('MethodNotAllowed', message, { allowed });
  }
}

/** 409: the request conflicts with the resource's state (finished deployment, reused Idempotency-Key). */
export class ConflictError extends ApiError {
  constructor(code: ApiErrorCodeWith<409>, message: string, details?: unknown) {
    super(code, message, details);
  }
}

/** 413: the body is larger than the API accepts. */
export class PayloadTooLargeError extends ApiError {
  constructor(message: string) {
    super('PayloadTooLarge', message);
  }
}

/** 415: the body's content type is not one the route reads. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor(message: string) {
    super('UnsupportedMediaType', message);
  }
}

/** 422: well-formed, but the spec in it is invalid; `details` lists every problem. */
export class UnprocessableError extends ApiError {
  constructor(code: ApiErrorCodeWith<422>, message: string, details?: unknown) {
    super(code, message, details);
  }
}

/**
 * 503: a service fledge depends on failed transiently. The code's `retryable` says whether sending
 * the same request again is right — `TryAgain` (answered with `retry-after`) when it is;
 * `StartUnconfirmed` when a retry could start a second deployment (the message says what to do instead).
 */
export class ServiceUnavailableError extends ApiError {
  constructor(code: ApiErrorCodeWith<503>, message: string, details?: unknown) {
    super(code, message, details);
  }
}

/**
 * 422 `StartFailed`: the deployment was recorded but Step Functions refused, for good, to start it
 * (an installation problem: its role may not start executions); it is REJECTED, and people were
 * notified. A 4xx, not a 5xx: the same request gets the same answer until the installation is
 * fixed, and a client that retries 5xx must not send it again and again.
 */
export class StartFailedError extends ApiError {
  constructor(message: string, details?: unknown) {
    super('StartFailed', message, details);
  }
}
