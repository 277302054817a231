import type { TargetSpec } from '../model/spec';
import type { HealthSignals } from './health-signals';
import type { LambdaRegistry } from './lambda-registry';

/** The ports that act in one target's account and region. */
export interface TargetPorts {
  readonly lambda: LambdaRegistry;
  readonly health: HealthSignals;
}

/**
 * Access to the targets of a wave run (a spec's `targets`): fledge assumes each target's role
 * (with its external id) and acts there with the temporary credentials. Adapters translate STS's
 * refusals into `TargetAccessDeniedError` naming the target and role.
 */
export interface TargetAccess {
  /** Assumes the target's role now: resolves when it can be, fails with `TargetAccessDeniedError` (or `TransientAwsError`) when not. */
  verify(target: TargetSpec): Promise<void>;
  /** Ports acting in the target with its role's credentials, assumed on first use and renewed before they expire; built once per target. */
  portsFor(target: TargetSpec): TargetPorts;
}
