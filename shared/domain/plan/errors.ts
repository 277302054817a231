import { FledgeError } from '../../model/errors';

/** A valid spec that cannot be planned for the given target, e.g. a new function the spec cannot create. */
export class PlanError extends FledgeError {
  static override readonly code: string = 'PlanImpossible';
  // Named before names were derived from codes; kept, since logs and callers read it.
  override readonly name = 'PlanError';
}
