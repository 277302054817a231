import type { EngineDepsOf } from './engine-functions';
import { advanceWavesTask, startWavesTask } from '../shared/domain/deployment/waves';
import { taskHandler } from './lib/task-handler';
import { taskInput } from './lib/task-input';
import { clockPort } from './lib/composition';
import { notifierPort } from './lib/ports/notifier';
import { orchestratorPort } from './lib/ports/orchestrator';
import { storePort } from './lib/ports/store';
import { targetsPort } from './lib/ports/targets';
import { engineFunction } from './lib/engine-function';

/** The ports of the wave runner: the table, Step Functions (the targets' deployments), SNS, the clock and the targets' roles. */
export type WavesDeps = EngineDepsOf<'waves'>;

/** The `StartWaves` and `AdvanceWaves` tasks of state-machines/waves.asl.yml. */
export function createHandler(deps: WavesDeps) {
  return taskHandler('waves', taskInput(['StartWaves', 'AdvanceWaves'] as const), ({ task, state }) => (task === 'StartWaves' ? startWavesTask(deps, state) : advanceWavesTask(deps, state)));
}

/** Lambda entry point. */
export const handler = engineFunction('waves', createHandler, { store: storePort, orchestrator: orchestratorPort, notifier: notifierPort, clock: clockPort, targets: targetsPort });
