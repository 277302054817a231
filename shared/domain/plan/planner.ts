import { planWaves } from './waves';
import { walkSteps } from '../spec/steps';
import { checkIntervalOf } from '../spec/check-interval';
import { evidenceRuleOf, extensionAllowance, waitsFrom } from '../spec/evidence';
import type { DeploymentSpec, Seconds, TrafficStep } from '../../model/spec';
import { estimateCost, healthChecksFor } from './cost';
import { PlanError } from './errors';
import type { Plan, PlanAction, PlannedAction, PlannedShortfall, PlannedWebhook } from './model';
import { hostOf } from '../spec/webhooks';
import { WEBHOOK_POINTS } from '../../model/webhooks';
import type { WebhookPoint } from '../../model/webhooks';
import { expandTrafficSteps } from '../spec/traffic';

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
  if (spec.artifact.kind === 'published' || spec.artifact.kind === 'fromLatest') {
    add({ kind: 'adoptVersion' });
  } else {
    if (functionExists) {
      if (spec.configuration !== undefined) add({ kind: 'updateConfiguration' });
      add({ kind: 'updateCode' });
    } else {
      add({ kind: 'createFunction' });
    }
    add({ kind: 'publishVersion' });
  }
  if (spec.health.smokeTest !== undefined) add({ kind: 'smokeTest' });
  if (spec.hooks.beforeTraffic !== undefined) add({ kind: 'hook', phase: 'beforeTraffic', functionName: spec.hooks.beforeTraffic });

  const interval = checkIntervalOf(spec.health);
  const rule = evidenceRuleOf(spec.health, spec.strategy);
  const shortfalls: PlannedShortfall[] = [];
  // How much later than the minimum a pause ends when every earlier one was extended to its limit.
  let extended = 0;
  // An ordered group walks the steps once per member, one after another (docs/spec.md#group); anything else once.
  const turns = spec.group?.shift === 'ordered' ? spec.group.members.length : 1;
  const walked: TrafficStep[] = [];
  for (let turn = 0; turn < turns; turn += 1) {
    const member = turns > 1 ? { member: turn } : {};
    trafficSteps.forEach((step, index) => {
      const isPromotion = index === trafficSteps.length - 1 && turn === turns - 1;
      walked.push(step);
      switch (step.type) {
        case 'setWeight':
          traffic = step.percent;
          add(isPromotion ? { kind: 'promote' } : { kind: 'setWeight', percent: step.percent, ...member });
          break;
        case 'pause':
          add({ kind: 'bake', duration: step.duration, checkInterval: interval, checks: healthChecksFor(step.duration, interval) }, step.duration);
          if (rule.minInvocations > 0) {
            const policy = rule.onInsufficientData;
            // The engine's own rule (shared/domain/spec/evidence.ts), with the minimum timeline's clock; a
            // check sees the later waits of the walk it is in.
            const extension = extensionAllowance({ policy, pause: step.duration, secondsLeft: spec.timeout - clock - extended, laterWaits: waitsFrom(trafficSteps, index + 1) });
            extended += extension;
            shortfalls.push({ action: actions.length - 1, minInvocations: rule.minInvocations, extension, checks: healthChecksFor(extension, interval), then: policy.action === 'extend' ? policy.then : policy.action });
          }
          break;
        case 'approval':
          add({ kind: 'approval', timeout: step.timeout, ...(step.message !== undefined && { message: step.message }) });
          break;
      }
    });
  }

  if (spec.hooks.afterTraffic !== undefined) add({ kind: 'hook', phase: 'afterTraffic', functionName: spec.hooks.afterTraffic });
  // The final bake watches all traffic on the new version before the deployment succeeds (and cleans up).
  if (spec.finalBake !== undefined) add({ kind: 'bake', duration: spec.finalBake, checkInterval: interval, checks: healthChecksFor(spec.finalBake, interval) }, spec.finalBake);
  if (spec.cleanup !== undefined) add({ kind: 'cleanup', keepVersions: spec.cleanup.keepVersions });

  const hooks = [spec.hooks.beforeTraffic, spec.hooks.afterTraffic].filter((hook) => hook !== undefined).length;
  // A group's Check only judges; the NextStep after each pause moves its members (group.ts).
  const inputs = { trafficSteps: walked, checkInterval: interval, smokeTest: spec.health.smokeTest !== undefined, hooks, ...(spec.finalBake !== undefined && { finalBake: spec.finalBake }), ...(spec.group !== undefined && { group: true }) };
  const worstCase = {
    extensionChecks: shortfalls.reduce((sum, shortfall) => sum + shortfall.checks, 0),
    approvals: shortfalls.filter((shortfall) => shortfall.then === 'pause').length,
  };
  const webhooks = plannedWebhooks(spec, actions, trafficSteps);
  const cost = estimateCost(inputs);
  const waves = planWaves(spec, { minimumDuration: clock, cost });
  return {
    actions,
    ...(waves !== undefined && { waves }),
    ...(webhooks.length > 0 && { webhooks }),
    trafficSteps,
    minimumDuration: clock,
    cost,
    evidence: { minInvocations: rule.minInvocations, shortfalls, worstCase: { duration: clock + extended, cost: estimateCost(inputs, worstCase) } },
  };
}

/** The spec's webhooks with their calls on the planned path: the engine calls them at these actions (shared/domain/deployment/webhooks.ts). */
function plannedWebhooks(spec: DeploymentSpec, actions: readonly PlannedAction[], trafficSteps: readonly TrafficStep[]): PlannedWebhook[] {
  const count = (kind: PlanAction['kind']) => actions.filter((planned) => planned.action.kind === kind).length;
  const checks = actions.reduce((sum, planned) => sum + (planned.action.kind === 'bake' ? planned.action.checks : 0), 0);
  const calls: Record<WebhookPoint, number> = { beforeTraffic: 1, beforeStep: weightChanges(spec, trafficSteps), check: checks, beforePromotion: count('promote'), onRollback: 0 };
  return WEBHOOK_POINTS.flatMap((point) =>
    (spec.webhooks?.[point] ?? []).map((webhook) => ({ point, name: webhook.name, host: hostOf(webhook.url) ?? '', timeout: webhook.timeout, retries: webhook.retries, calls: calls[point] })),
  );
}

/** The alias updates before the promotion as the engine walks the steps: consecutive weights are one update (steps.ts). */
function weightChanges(spec: DeploymentSpec, trafficSteps: readonly TrafficStep[]): number {
  let changes = 0;
  for (let index = 0; index < trafficSteps.length; ) {
    const walk = walkSteps(trafficSteps, index, spec.approval);
    if (walk.weight && walk.stop.kind !== 'promote') changes += 1;
    if (walk.stop.kind === 'promote' || walk.nextIndex <= index) break;
    index = walk.nextIndex;
  }
  return changes;
}

function assertCreatable(spec: DeploymentSpec): void {
  if (spec.artifact.kind === 'published' || spec.artifact.kind === 'fromLatest') {
    throw new PlanError(`function "${spec.function.name}" does not exist: the spec adopts a published version, so the function must exist`);
  }
  const needed = spec.artifact.kind === 'zip' ? (['role', 'runtime', 'handler'] as const) : (['role'] as const);
  const missing = needed.filter((field) => spec.configuration?.[field] === undefined);
  if (missing.length > 0) {
    throw new PlanError(
      `function "${spec.function.name}" does not exist yet and the spec cannot create it: configuration.${missing.join(', configuration.')} ${missing.length > 1 ? 'are' : 'is'} required`,
    );
  }
}
