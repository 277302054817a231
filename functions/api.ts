import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../shared/adapters/lambda-registry';
import { S3ArtifactInspector } from '../shared/adapters/s3-artifacts';
import { StepFunctionsOrchestrator } from '../shared/adapters/sfn-orchestrator';
import { SnsNotifier } from '../shared/adapters/sns-notifier';
import { SsmSecret } from '../shared/adapters/ssm-secrets';
import { systemClock } from '../shared/adapters/system-clock';
import { controlPlaneHome, readInterfaceConfig, requireInterfaceConfig } from '../shared/config/interface-env';
import { CursorSigner } from '../shared/domain/api/cursor';
import { errorResponse } from '../shared/domain/api/error-response';
import { handleApiRequest, type ApiDeps } from '../shared/domain/api/routes';
import { httpHandler, type HttpHandler } from './lib/http-handler';
import { lazyHandler } from './lib/lazy';

const config = readInterfaceConfig(process.env);
const dynamodb = new DynamoDBClient({});
const sfn = new SFNClient({});
const sns = new SNSClient({});
const lambda = new LambdaClient({});
const s3 = new S3Client({});
const ssm = new SSMClient({});

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
  // List cursors are sealed with a key derived from the approval-signing secret: no second secret to keep.
  const secret = new SsmSecret(ssm, c.approvalSecretParameter);
  return createHandler({
    store: new DynamoDbDeploymentStore(dynamodb, c.tableName, systemClock),
    orchestrator: new StepFunctionsOrchestrator(sfn, c.stateMachineArn),
    notifier: new SnsNotifier(sns, { notifications: c.notificationTopicArn }),
    lambda: new LambdaRegistryAdapter(lambda, systemClock),
    artifacts: new S3ArtifactInspector(s3),
    clock: systemClock,
    artifactsBucket: c.artifactsBucket,
    // The secret's one cache is SsmSecret's (Powertools Parameters, max age): a failed read is
    // retried by the next request, and a rotation reaches the cursors as it reaches the pages.
    cursors: async () => new CursorSigner(Buffer.from(await secret.value(), 'utf8')),
    home: controlPlaneHome(c.stateMachineArn),
    ...(config.region ? { region: config.region } : {}),
  });
}
