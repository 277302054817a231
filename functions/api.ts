import { errorResponse } from '../shared/interfaces/http/error-response';
import { handleApiRequest, type ApiDeps } from '../shared/interfaces/http/api/routes';
import { settingOf } from './lib/composition';
import { httpHandler, type HttpHandler } from './lib/http-handler';
import { lambdaHandler } from './lib/lambda-handler';
import { lambdaPort } from './lib/ports/lambda';
import { cursorsPort } from './lib/ports/secrets';
import { starterPorts } from './lib/ports/starter';

/**
 * The management API (IAM-authorised on AWS): start, list, inspect, stop, promote, approve and
 * reject deployments, and read an alias's live state. Errors are `{error: {code, message,
 * details}}`; anything unexpected is a 500 naming the request id only.
 */
export function createHandler(deps: ApiDeps): HttpHandler {
  return httpHandler('api', (request) => handleApiRequest(deps, request), errorResponse);
}

/** Lambda entry point: ports over the real AWS, built at the first invocation by the composition root. */
export const handler = lambdaHandler(createHandler, {
  ...starterPorts,
  lambda: lambdaPort,
  artifactsBucket: settingOf('artifactsBucket'),
  // Sealed with a key derived from the approval-signing secret: no second secret to keep.
  cursors: cursorsPort,
});
