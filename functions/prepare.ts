import type { EngineDepsOf } from './engine-functions';
import { prepare } from '../shared/domain/deployment/prepare';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort } from './lib/composition';
import { callersPort } from './lib/ports/callers';
import { lambdaPort } from './lib/ports/lambda';
import { storePort } from './lib/ports/store';
import { notifierPort } from './lib/ports/notifier';
import { engineFunction } from './lib/engine-function';

/** The ports Prepare uses: Lambda (read, create), the table, the notifier (the `started` event), the clock, the function's callers. */
export type PrepareDeps = EngineDepsOf<'prepare'>;

/** The `Prepare` task: lock, record, alias snapshot, create the function if missing. */
export function createHandler(deps: PrepareDeps) {
  return taskHandler('prepare', taskInput(['Prepare'] as const), ({ state }) => prepare(deps, state));
}

/** Lambda entry point. */
export const handler = engineFunction('prepare', createHandler, { lambda: lambdaPort, store: storePort, notifier: notifierPort, clock: clockPort, callers: callersPort });
