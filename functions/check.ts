import { checkGroup, isGroupState } from '../shared/domain/deployment/group';
import { check } from '../shared/domain/deployment/check';
import type { EngineDepsOf } from './engine-functions';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { webhooksPort } from './lib/ports/webhooks';

/** The ports Check uses: Lambda (GetAlias for drift), CloudWatch (DescribeAlarms), the table, the clock. Read-only on AWS. */
export type CheckDeps = EngineDepsOf<'check'>;

/** The `Check` task: stop flag, deadline, drift, alarms; then bake on, next step, or promote now. */
export function createHandler(deps: CheckDeps) {
  return taskHandler('check', taskInput(['Check'] as const), ({ state }) => (isGroupState(state) ? checkGroup(deps, state) : check(deps, state)));
}

/** Lambda entry point. */
export const handler = engineFunction('check', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, clock: clockPort, webhooks: webhooksPort });
