/**
 * Base of every error the embedded AWS raises on purpose (as opposed to the AWS errors it renders
 * to clients). Subclasses name what failed and where, and carry the underlying `cause`.
 */
export class LocalAwsError extends Error {
  override readonly name: string = 'LocalAwsError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The embedded AWS could not start: port taken, unreadable data directory, a service failing to start. */
export class LocalAwsStartError extends LocalAwsError {
  override readonly name = 'LocalAwsStartError';
  /** The Node.js error code when the cause was a system error (`EADDRINUSE`, `EACCES`, …). */
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const cause = options?.cause as { code?: unknown } | undefined;
    this.code = typeof cause?.code === 'string' ? cause.code : undefined;
  }
}

/** A call to the control API (`/_fledge/...`) was refused; `status` is the HTTP status it answered. */
export class ControlApiError extends LocalAwsError {
  override readonly name = 'ControlApiError';

  constructor(message: string, readonly status: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}
