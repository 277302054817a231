import { FledgeError } from '../../model/errors';
import type { SpecProblem } from '../../model/spec';

/** A deployment spec that cannot be used; `problems` lists everything wrong with it, located. */
export class SpecInvalidError extends FledgeError {
  static override readonly code: string = 'SpecInvalid';
  // Named before names were derived from codes; kept, since logs and callers read it.
  override readonly name = 'SpecInvalidError';
  readonly source: string;
  readonly problems: readonly SpecProblem[];

  constructor(source: string, problems: readonly SpecProblem[], options?: { cause?: unknown }) {
    const first = problems[0];
    const where = first === undefined ? source : `${source}:${first.line}:${first.column}`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    super(`invalid deployment spec ${where}: ${first?.path ? `${first.path}: ` : ''}${first?.message ?? 'unknown problem'}${more}`, options);
    this.source = source;
    this.problems = problems;
  }
}
