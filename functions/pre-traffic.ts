import type { EngineDepsOf } from './engine-functions';
import { isGroupState, preTrafficGroup } from '../shared/domain/deployment/group';
import { preTraffic } from '../shared/domain/deployment/pre-traffic';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { webhooksPort } from './lib/ports/webhooks';

/** The ports PreTraffic uses: Lambda (invoke the new version and the hook), CloudWatch (alarms exist), the table, the clock. */
export type VerifyDeps = EngineDepsOf<'verify'>;

/** The `PreTraffic` task: smoke test and beforeTraffic hook on the new version, before any traffic. */
export function createHandler(deps: VerifyDeps) {
  return taskHandler('verify', taskInput(['PreTraffic'] as const), ({ state }) => (isGroupState(state) ? preTrafficGroup(deps, state) : preTraffic(deps, state)));
}

/** Lambda entry point. */
export const handler = engineFunction('verify', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, clock: clockPort, webhooks: webhooksPort });
