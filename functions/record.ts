import type { EngineDepsOf } from './engine-functions';
import { isGroupState, recordDriftGroup, recordNoChangeGroup, recordRejectedGroup, rollbackFailedGroup } from '../shared/domain/deployment/group';
import { recordDrift, recordNoChange, recordRejected, rollbackFailed } from '../shared/domain/deployment/outcomes';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { notifierPort } from './lib/ports/notifier';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';

/** The ports of the endings that change no traffic: Lambda (GetAlias only), CloudWatch (delete the alarm), the table, SNS, the clock. */
export type RecordDeps = EngineDepsOf<'record'>;

/** The `RecordNoChange`, `RecordDrift`, `RecordRejected` and `RollbackFailed` tasks. */
export function createHandler(deps: RecordDeps) {
  return taskHandler('record', taskInput(['RecordNoChange', 'RecordDrift', 'RecordRejected', 'RollbackFailed'] as const), ({ task, state }) => {
    switch (task) {
      case 'RecordNoChange':
        return isGroupState(state) ? recordNoChangeGroup(deps, state) : recordNoChange(deps, state);
      case 'RecordDrift':
        return isGroupState(state) ? recordDriftGroup(deps, state) : recordDrift(deps, state);
      case 'RecordRejected':
        return isGroupState(state) ? recordRejectedGroup(deps, state) : recordRejected(deps, state);
      case 'RollbackFailed':
        return isGroupState(state) ? rollbackFailedGroup(deps, state) : rollbackFailed(deps, state);
    }
  });
}

/** Lambda entry point. */
export const handler = engineFunction('record', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, notifier: notifierPort, clock: clockPort });
