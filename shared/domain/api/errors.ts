import { FledgeError } from '../errors';

/** An error the API reports to its caller as `{error: {code, message, details}}` with `status`. */
export class ApiError extends FledgeError {
  override readonly name: string = 'ApiError';
  constructor(
    readonly status: number,
    override readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 400: the request itself is wrong (bad query parameter, malformed JSON, bad cursor). */
export class BadRequestError extends ApiError {
  constructor(message: string, details?: unknown, options?: { cause?: unknown }) {
    super(400, 'BadRequest', message, details, options);
  }
}

/** 404: no such route or resource. */
export class ResourceNotFoundError extends ApiError {
  constructor(message: string, details?: unknown) {
    super(404, 'NotFound', message, details);
  }
}

/** 405: the path exists but not with this method. */
export class MethodNotAllowedError extends ApiError {
  constructor(message: string, readonly allowed: readonly string[]) {
    super(405, 'MethodNotAllowed', message, { allowed });
  }
}

/** 409: the request conflicts with the resource's state (finished deployment, reused Idempotency-Key). */
export class ConflictError extends ApiError {
  constructor(code: string, message: string, details?: unknown) {
    super(409, code, message, details);
  }
}

/** 413: the body is larger than the API accepts. */
export class PayloadTooLargeError extends ApiError {
  constructor(message: string) {
    super(413, 'PayloadTooLarge', message);
  }
}

/** 415: the body's content type is not one the route reads. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor(message: string) {
    super(415, 'UnsupportedMediaType', message);
  }
}

/** 422: well-formed, but the spec in it is invalid; `details` lists every problem. */
export class UnprocessableError extends ApiError {
  constructor(code: string, message: string, details?: unknown) {
    super(422, code, message, details);
  }
}
