import { requestApproval } from '../shared/domain/deployment/approval';
import { parseApprovalTaskInput } from '../shared/domain/deployment/input';
import type { EngineDepsOf } from './engine-functions';
import { clockPort } from './lib/composition';
import { signedLinksNotifierPort } from './lib/ports/signed-notifier';
import { storePort } from './lib/ports/store';
import { engineFunction } from './lib/engine-function';
import { taskHandler } from './lib/task-handler';

/** The ports RequestApproval uses: the table (token and approval), SNS (the request), the clock. */
export type ApprovalDeps = EngineDepsOf<'approval'>;

/**
 * The `RequestApproval` task (`lambda:invoke.waitForTaskToken`): stores the token under an
 * approval id and sends the request. Its event carries the token: it is never logged.
 */
export function createHandler(deps: ApprovalDeps) {
  return taskHandler('approval', parseApprovalTaskInput, (input) => requestApproval(deps, input));
}

/**
 * Lambda entry point: approval messages carry Approve/Reject links under the stack's HTTP API,
 * signed with the approval pages' secret (functions/lib/ports/signed-notifier.ts).
 */
export const handler = engineFunction('approval', createHandler, { store: storePort, notifier: signedLinksNotifierPort, clock: clockPort });
