import type { EngineDepsOf } from './engine-functions';
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
        return recordNoChange(deps, state);
      case 'RecordDrift':
        return recordDrift(deps, state);
      case 'RecordRejected':
        return recordRejected(deps, state);
      case 'RollbackFailed':
        return rollbackFailed(deps, state);
    }
  });
}

/** Lambda entry point. */
export const handler = engineFunction('record', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, notifier: notifierPort, clock: clockPort });
