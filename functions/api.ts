import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { S3ArtifactInspector } from '../shared/adapters/s3-artifacts';
import { SsmSecret } from '../shared/adapters/ssm-secrets';
import { controlPlaneHome, readInterfaceConfig, requireInterfaceConfig } from '../shared/config/interface-env';
import { CursorSigner } from '../shared/interfaces/http/api/cursor';
import { errorResponse } from '../shared/interfaces/http/error-response';
import { handleApiRequest, type ApiDeps } from '../shared/interfaces/http/api/routes';
import { httpHandler, type HttpHandler } from './lib/http-handler';
import { awsComposition } from './lib/engine-function';
import { lazyHandler } from './lib/lazy';
import { lambdaPort } from './lib/ports/lambda';
import { notifierPort } from './lib/ports/notifier';
import { orchestratorPort } from './lib/ports/orchestrator';
import { storePort } from './lib/ports/store';

const config = readInterfaceConfig(process.env);

/**
 * The management API (IAM-authorised on AWS): start, list, inspect, stop, promote, approve and
 * reject deployments, and read an alias's live state. Errors are `{error: {code, message,
 * details}}`; anything unexpected is a 500 naming the request id only.
 */
export function createHandler(deps: ApiDeps): HttpHandler {
  return httpHandler('api', (request) => handleApiRequest(deps, request), errorResponse);
}

/** Lambda entry point: ports over the real AWS, built at the first invocation. */
export const handler: HttpHandler = lazyHandler(build);

function build(): HttpHandler {
  const c = requireInterfaceConfig(config, ['tableName', 'stateMachineArn', 'notificationTopicArn', 'artifactsBucket', 'approvalSecretParameter']);
  const root = awsComposition(c);
  // List cursors are sealed with a key derived from the approval-signing secret: no second secret to keep.
  const secret = new SsmSecret(root.client(SSMClient), c.approvalSecretParameter);
  return createHandler({
    store: storePort(root),
    orchestrator: orchestratorPort(root),
    notifier: notifierPort(root),
    lambda: lambdaPort(root),
    artifacts: new S3ArtifactInspector(root.client(S3Client)),
    clock: root.clock,
    artifactsBucket: c.artifactsBucket,
    // The secret's one cache is SsmSecret's (Powertools Parameters, max age): a failed read is
    // retried by the next request, and a rotation reaches the cursors as it reaches the pages.
    cursors: async () => new CursorSigner(Buffer.from(await secret.value(), 'utf8')),
    home: controlPlaneHome(c.stateMachineArn),
    ...(config.region ? { region: config.region } : {}),
  });
}
