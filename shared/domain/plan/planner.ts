import type { DeploymentSpec, Seconds, TrafficStep } from '../spec/model';
import { estimateCost, healthChecksFor } from './cost';
import { PlanError } from './errors';
import type { Plan, PlanAction, PlannedAction } from './model';
import { expandTrafficSteps } from './traffic';

/** What the planner needs to know about the target beyond the spec. */
export interface PlanOptions {
  /**
   * False when the function does not exist yet: it is created from the spec and its alias points at
   * the first version straight away, as there is no old version to share traffic with. Default true.
   */
  readonly functionExists?: boolean;
}

/**
 * Derives the ordered actions a deployment will take, when each starts at the earliest, the minimum
 * total duration and the cost. Pure: the same spec always gives the same plan.
 *
 * @throws {@link PlanError} when the function does not exist and the spec lacks what creating it needs.
 */
export function planDeployment(spec: DeploymentSpec, options: PlanOptions = {}): Plan {
  const functionExists = options.functionExists ?? true;
  if (!functionExists) assertCreatable(spec);
  const trafficSteps: TrafficStep[] = functionExists ? expandTrafficSteps(spec.strategy) : [{ type: 'setWeight', percent: 100 }];

  const actions: PlannedAction[] = [];
  let clock: Seconds = 0;
  let traffic = 0;
  const add = (action: PlanAction, duration: Seconds = 0): void => {
    actions.push({ startsAt: clock, duration, action, trafficAfter: traffic });
    clock += duration;
  };

  add({ kind: 'prepare' });
  if (functionExists) {
    if (spec.configuration !== undefined) add({ kind: 'updateConfiguration' });
    add({ kind: 'updateCode' });
  } else {
    add({ kind: 'createFunction' });
  }
  add({ kind: 'publishVersion' });
  if (spec.health.smokeTest !== undefined) add({ kind: 'smokeTest' });
  if (spec.hooks.beforeTraffic !== undefined) add({ kind: 'hook', phase: 'beforeTraffic', functionName: spec.hooks.beforeTraffic });

  const interval = spec.health.checkInterval;
  trafficSteps.forEach((step, index) => {
    const isPromotion = index === trafficSteps.length - 1;
    switch (step.type) {
      case 'setWeight':
        traffic = step.percent;
        add(isPromotion ? { kind: 'promote' } : { kind: 'setWeight', percent: step.percent });
        break;
      case 'pause':
        add({ kind: 'bake', duration: step.duration, checkInterval: interval, checks: healthChecksFor(step.duration, interval) }, step.duration);
        break;
      case 'approval':
        add({ kind: 'approval', timeout: step.timeout, ...(step.message !== undefined && { message: step.message }) });
        break;
    }
  });

  if (spec.hooks.afterTraffic !== undefined) add({ kind: 'hook', phase: 'afterTraffic', functionName: spec.hooks.afterTraffic });
  if (spec.cleanup !== undefined) add({ kind: 'cleanup', keepVersions: spec.cleanup.keepVersions });

  const hooks = [spec.hooks.beforeTraffic, spec.hooks.afterTraffic].filter((hook) => hook !== undefined).length;
  return {
    actions,
    trafficSteps,
    minimumDuration: clock,
    cost: estimateCost({ trafficSteps, checkInterval: interval, smokeTest: spec.health.smokeTest !== undefined, hooks }),
  };
}

function assertCreatable(spec: DeploymentSpec): void {
  const needed = spec.artifact.kind === 'zip' ? (['role', 'runtime', 'handler'] as const) : (['role'] as const);
  const missing = needed.filter((field) => spec.configuration?.[field] === undefined);
  if (missing.length > 0) {
    throw new PlanError(
      `function "${spec.function.name}" does not exist yet and the spec cannot create it: configuration.${missing.join(', configuration.')} ${missing.length > 1 ? 'are' : 'is'} required`,
    );
  }
}
