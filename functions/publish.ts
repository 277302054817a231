import type { EngineDepsOf } from './engine-functions';
import { isGroupState, publishGroup } from '../shared/domain/deployment/group';
import { publish } from '../shared/domain/deployment/publish';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort, stagePort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';

/** The ports Publish uses: Lambda (update, publish), CloudWatch (the version's alarm), the table, the clock; the stage names the alarm. */
export type PublishDeps = EngineDepsOf<'publish'>;

/** The `Publish` task: configuration, code, wait, guarded publish, the new version's alarm. */
export function createHandler(deps: PublishDeps) {
  return taskHandler('publish', taskInput(['Publish'] as const), ({ state }) => (isGroupState(state) ? publishGroup(deps, state) : publish(deps, state)));
}

/** Lambda entry point. */
export const handler = engineFunction('publish', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, clock: clockPort, stage: stagePort });
