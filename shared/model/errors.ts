/**
 * Base of every error the fledge domain raises on purpose. Each class declares its stable,
 * machine-readable code once, as the static `code`; instances carry it as `code`, and their
 * `name` is derived from it: `<namespace>.<code>` when the class has a `namespace` (the engine's
 * and the starter's `fledge.*` errors, which Step Functions matches by name in Retry and Catch),
 * else the code itself. A class whose `name` predates this rule may still set its own.
 */
export class FledgeError extends Error {
  /** The stable code of this class's errors, e.g. `SpecInvalid`. */
  static readonly code: string = 'FledgeError';
  /** Prefix of `name` (`fledge` gives `fledge.<code>`); none: `name` is the code. */
  static readonly namespace: string | undefined = undefined;

  /** The name of the errors of `kind`, as a Lambda task that throws one reports it. */
  static nameOf(kind: { readonly code: string; readonly namespace: string | undefined }): string {
    return kind.namespace === undefined ? kind.code : `${kind.namespace}.${kind.code}`;
  }

  override readonly name: string;
  /** Stable machine-readable code, e.g. `SpecInvalid`. */
  readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const kind = new.target as typeof FledgeError;
    this.code = kind.code;
    this.name = FledgeError.nameOf(kind);
  }
}
