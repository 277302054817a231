import type { EngineDepsOf } from './engine-functions';
import { abortOnAlarm, type AbortOutcome } from '../shared/domain/deployment/abort';
import { parseAlarmStateChangeEvent } from './lib/events';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';
import { clockPort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { notifierPort } from './lib/ports/notifier';
import { orchestratorPort } from './lib/ports/orchestrator';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { targetsPort } from './lib/ports/targets';
import { homePort } from './lib/ports/settings';

/** The ports of the alarm abort: the Rollback task's, plus Step Functions to stop the execution. */
export type AbortDeps = EngineDepsOf<'abort'>;

/**
 * Target of the EventBridge rule on "CloudWatch Alarm State Change" to ALARM: rolls back at once
 * every deployment under way that the alarm gates (see `abortOnAlarm`). A failure is thrown so
 * Lambda's asynchronous retries deliver the event again; every step is idempotent.
 */
export function createHandler(deps: AbortDeps) {
  return taskHandler('abort', parseAlarmStateChangeEvent, async (change): Promise<{ outcomes: AbortOutcome[] }> => {
    const outcomes = await abortOnAlarm(deps, change);
    for (const outcome of outcomes) log.info('alarm abort', { alarm: change.alarmName, ...outcome });
    return { outcomes };
  });
}

/** Lambda entry point. */
export const handler = engineFunction('abort', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, notifier: notifierPort, clock: clockPort, orchestrator: orchestratorPort, targets: targetsPort, home: homePort });
