/**
 * Base of every error the fledge domain raises on purpose. `code` is stable and machine-readable;
 * the Step Functions definition matches task failures on `name`, so subclasses set both.
 */
export class FledgeError extends Error {
  override readonly name: string = 'FledgeError';
  /** Stable machine-readable code, e.g. `SpecInvalid`. */
  readonly code: string = 'FledgeError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
