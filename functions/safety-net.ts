import type { EngineDepsOf } from './engine-functions';
import { safetyNet, type SafetyNetOutcome } from '../shared/domain/deployment/safety-net';
import { parseStatusChangeEvent } from './lib/events';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';
import { clockPort } from './lib/composition';
import { healthPort } from './lib/ports/health';
import { lambdaPort } from './lib/ports/lambda';
import { notifierPort } from './lib/ports/notifier';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { targetsPort } from './lib/ports/targets';

/** The ports the safety net uses: the same as Rollback's. */
export type SafetyNetDeps = EngineDepsOf<'safety-net'>;

/**
 * Target of the EventBridge rule on "Step Functions Execution Status Change" (FAILED, TIMED_OUT,
 * ABORTED) for the deployment state machine: repairs what no Catch could. A failure is thrown so
 * Lambda's asynchronous retries deliver the event again; every step is idempotent.
 */
export function createHandler(deps: SafetyNetDeps) {
  return taskHandler('safety-net', parseStatusChangeEvent, async (input): Promise<{ outcome: SafetyNetOutcome }> => {
    if (!input) return { outcome: 'ignored' };
    const outcome = await safetyNet(deps, input);
    log.info('safety net', { deploymentId: input.deploymentId, executionStatus: input.executionStatus, outcome });
    return { outcome };
  });
}

/** Lambda entry point. */
export const handler = engineFunction('safety-net', createHandler, { lambda: lambdaPort, health: healthPort, store: storePort, notifier: notifierPort, clock: clockPort, targets: targetsPort });
