import type { EngineDepsOf } from './engine-functions';
import { SWEEP_DEFAULTS, sweep, type SweepReport } from '../shared/domain/deployment/sweeper';
import { expireStalledStart } from '../shared/domain/starter/expire';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';
import { clockPort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { notifierPort } from './lib/ports/notifier';
import { orchestratorPort, waveRunnerPort } from './lib/ports/orchestrator';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { targetsPort } from './lib/ports/targets';

/** The ports of the repair loop: the safety net's, plus Step Functions to see whether an execution still runs. */
export type SweeperDeps = EngineDepsOf<'sweeper'>;

/**
 * The repair loop, invoked on a schedule (an EventBridge rule on AWS, an interval on the
 * simulated clock locally): finishes what outages left — deployments whose execution ended
 * without ending them, FAILED ones whose alias is still split, locks held by ended deployments.
 * The event is ignored (any schedule event will do). Failures are per deployment and logged; the
 * next run tries again, so the function itself does not fail for them.
 */
export function createHandler(deps: SweeperDeps) {
  return taskHandler('sweeper', () => undefined, async (): Promise<SweepReport> => {
    const report = await sweep(deps, { ...SWEEP_DEFAULTS, stalledStart: (record) => expireStalledStart(deps, record) });
    for (const action of report.actions) log.info('sweeper repaired', { ...action });
    for (const failure of report.failures) log.error('sweeper could not repair', { ...failure });
    return report;
  });
}

/** Lambda entry point. */
export const handler = engineFunction('sweeper', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, notifier: notifierPort, clock: clockPort, orchestrator: orchestratorPort, targets: targetsPort, waveRunner: waveRunnerPort });
