import type { EngineDepsOf } from './engine-functions';
import { isGroupState, nextStepGroup, promoteGroup, rollbackGroup } from '../shared/domain/deployment/group';
import { nextStep } from '../shared/domain/deployment/next-step';
import { promote } from '../shared/domain/deployment/promote';
import { rollback } from '../shared/domain/deployment/rollback';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { notifierPort } from './lib/ports/notifier';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { webhooksPort } from './lib/ports/webhooks';

/**
 * The ports of the three states that move traffic — the only function allowed to UpdateAlias:
 * Lambda (aliases, afterTraffic hook, version cleanup), CloudWatch (delete the alarm), the table,
 * SNS (rollback notices), the clock.
 */
export type TrafficDeps = EngineDepsOf<'traffic'>;

/** The `NextStep`, `Promote` and `Rollback` tasks. */
export function createHandler(deps: TrafficDeps) {
  return taskHandler('traffic', taskInput(['NextStep', 'Promote', 'Rollback'] as const), ({ task, state }) => {
    switch (task) {
      case 'NextStep':
        return isGroupState(state) ? nextStepGroup(deps, state) : nextStep(deps, state);
      case 'Promote':
        return (isGroupState(state) ? promoteGroup(deps, state) : promote(deps, state)).then((promoted) => {
          // Left to the sweeper: a promotion is never undone for them, so they only show here.
          if (promoted.warnings) log.warn('promoted with side effects left to the sweeper', { deploymentId: state.deploymentId, warnings: promoted.warnings });
          return promoted;
        });
      case 'Rollback':
        return isGroupState(state) ? rollbackGroup(deps, state) : rollback(deps, state);
    }
  });
}

/** Lambda entry point. */
export const handler = engineFunction('traffic', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, notifier: notifierPort, clock: clockPort, webhooks: webhooksPort });
