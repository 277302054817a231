/**
 * The API's error contract as data: every `error.code` the API answers with, its HTTP status and,
 * for a 503, whether sending the same request again is right (`retryable`, answered in the body and
 * as `retry-after`). The error classes take their status from here, the HTTP error mapping answers
 * from here, and docs/api.md's error table must list exactly these (test/api/error-contract.test.ts).
 */
export const API_ERROR_CODES = {
  BadRequest: { status: 400 },
  InvalidCursor: { status: 400 },
  NotFound: { status: 404 },
  MethodNotAllowed: { status: 405 },
  IdempotencyKeyReused: { status: 409 },
  DeploymentFinished: { status: 409 },
  NotAwaitingApproval: { status: 409 },
  ControlRefused: { status: 409 },
  ApprovalClosed: { status: 409 },
  LockConflict: { status: 409 },
  UndoRefused: { status: 409 },
  PayloadTooLarge: { status: 413 },
  UnsupportedMediaType: { status: 415 },
  SpecInvalid: { status: 422 },
  StartFailed: { status: 422 },
  InternalError: { status: 500 },
  TryAgain: { status: 503, retryable: true },
  StartUnconfirmed: { status: 503, retryable: false },
} as const satisfies Record<string, { readonly status: number; readonly retryable?: boolean }>;

/** A code the API answers errors with. */
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

/** The codes answered with `status`, e.g. `ApiErrorCodeWith<409>`. */
export type ApiErrorCodeWith<S extends number> = { [C in ApiErrorCode]: (typeof API_ERROR_CODES)[C]['status'] extends S ? C : never }[ApiErrorCode];

/** The HTTP status of `code`. */
export function statusOf(code: ApiErrorCode): number {
  return API_ERROR_CODES[code].status;
}

/** Whether sending the same request again is right after `code`: defined for 503s only. */
export function retryableOf(code: ApiErrorCode): boolean | undefined {
  const entry: { readonly status: number; readonly retryable?: boolean } = API_ERROR_CODES[code];
  return entry.retryable;
}
