import type { EngineDepsOf } from './engine-functions';
import { prepare } from '../shared/domain/deployment/prepare';
import { isGroupState, prepareGroup } from '../shared/domain/deployment/group';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort } from './lib/composition';
import { callersPort } from './lib/ports/callers';
import { lambdaPort } from './lib/ports/lambda';
import { storePort } from './lib/ports/store';
import { healthPort } from './lib/ports/health';
import { notifierPort } from './lib/ports/notifier';
import { engineFunction } from './lib/engine-function';

/** The ports Prepare uses: Lambda (read, create), the table, the notifier (the `started` event), the clock, the function's callers. */
export type PrepareDeps = EngineDepsOf<'prepare'>;

/** The `Prepare` task: lock, record, alias snapshot, create the function if missing. */
export function createHandler(deps: PrepareDeps) {
  return taskHandler('prepare', taskInput(['Prepare'] as const), ({ state }) => (isGroupState(state) ? prepareGroup(deps, state) : prepare(deps, state)));
}

/** Lambda entry point. */
export const handler = engineFunction('prepare', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, notifier: notifierPort, clock: clockPort, callers: callersPort });
