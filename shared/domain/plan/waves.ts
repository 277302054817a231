import type { DeploymentSpec, Seconds } from '../../model/spec';
import { wavesOf } from '../spec/waves';
import type { PlanCost } from './model';

/** One wave of a plan: the targets that deploy together, and when (from the run's start). */
export interface PlannedWave {
  readonly targets: readonly { readonly id: string; readonly accountId: string; readonly region: string }[];
  readonly startsAt: Seconds;
  readonly endsAt: Seconds;
}

/** A wave run's plan: each target's deployment is the single plan; the waves run one after another. */
export interface PlannedWaves {
  readonly waves: readonly PlannedWave[];
  /** Lower bound of the whole run: one target's minimum duration per wave. */
  readonly minimumDuration: Seconds;
  /** Every target's deployment on its planned path (the wave runner's own steps not included). */
  readonly cost: PlanCost;
}

/**
 * The waves of a spec with targets: each wave starts when the one before it ended (a target waits
 * for the targets it depends on, which are all in earlier waves), and takes as long as one
 * target's deployment, `single`'s minimum; the cost is one deployment's per target.
 */
export function planWaves(spec: DeploymentSpec, single: { readonly minimumDuration: Seconds; readonly cost: PlanCost }): PlannedWaves | undefined {
  if (spec.targets === undefined || spec.targets.length === 0) return undefined;
  const layers = wavesOf(spec.targets);
  const d = single.minimumDuration;
  const n = spec.targets.length;
  return {
    waves: layers.map((layer, index) => ({ targets: layer.map(({ id, accountId, region }) => ({ id, accountId, region })), startsAt: index * d, endsAt: (index + 1) * d })),
    minimumDuration: layers.length * d,
    cost: {
      stateTransitions: single.cost.stateTransitions * n,
      lambdaInvocations: single.cost.lambdaInvocations * n,
      userInvocations: single.cost.userInvocations * n,
      healthChecks: single.cost.healthChecks * n,
      usd: single.cost.usd * n,
    },
  };
}
