import { handleApprovalRequest, approvalErrorPage, type ApprovalRouteDeps } from '../shared/interfaces/http/approval/routes';
import { clockPort } from './lib/composition';
import { httpHandler, type HttpHandler } from './lib/http-handler';
import { lambdaHandler } from './lib/lambda-handler';
import { taskCallbacksPort } from './lib/ports/orchestrator';
import { approvalSignerPort } from './lib/ports/secrets';
import { storePort } from './lib/ports/store';

/**
 * The public approval routes (no IAM: the link's HMAC signature is the credential):
 * `GET /approvals/{id}` shows the confirmation page and changes nothing; `POST /approvals/{id}`
 * decides, once.
 */
export function createHandler(deps: ApprovalRouteDeps): HttpHandler {
  return httpHandler('approvals', (request) => handleApprovalRequest(deps, request), approvalErrorPage);
}

/**
 * Lambda entry point: ports over the real AWS, built at the first invocation by the composition
 * root; the signer reads the approval-signing secret per use (Powertools Parameters' max age).
 */
export const handler = lambdaHandler(createHandler, { store: storePort, orchestrator: taskCallbacksPort, clock: clockPort, signer: approvalSignerPort });
