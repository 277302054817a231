import { FledgeError } from '../errors';

/** A valid spec that cannot be planned for the given target, e.g. a new function the spec cannot create. */
export class PlanError extends FledgeError {
  override readonly name = 'PlanError';
  override readonly code = 'PlanImpossible';
}
