import { errorResponse } from '../shared/interfaces/http/error-response';
import { handleApiRequest, type ApiDeps } from '../shared/interfaces/http/api/routes';
import { settingOf } from './lib/composition';
import { httpHandler, type HttpHandler } from './lib/http-handler';
import { lambdaHandler } from './lib/lambda-handler';
import { lambdaPort } from './lib/ports/lambda';
import { cursorsPort } from './lib/ports/secrets';
import { starterPorts } from './lib/ports/starter';
import { trafficPort } from './lib/ports/traffic';

/**
 * The management API (IAM-authorised on AWS): start, list, inspect, stop, promote, approve and
 * reject deployments, read an alias's live state, a deployment's traffic per version and the delivery metrics. Errors are `{error: {code, message,
 * details}}`; anything unexpected is a 500 naming the request id only.
 */
export function createHandler(deps: ApiDeps): HttpHandler {
  return httpHandler('api', (request) => handleApiRequest(deps, request), errorResponse);
}

/** Lambda entry point: ports over the real AWS, built at the first invocation by the composition root. */
export const handler = lambdaHandler(createHandler, {
  ...starterPorts,
  lambda: lambdaPort,
  // CloudWatch read only (GetMetricData): each version's traffic for the dashboard.
  traffic: trafficPort,
  artifactsBucket: settingOf('artifactsBucket'),
  // Sealed with a key derived from the approval-signing secret: no second secret to keep.
  cursors: cursorsPort,
});
