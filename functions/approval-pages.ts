import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDbDeploymentStore } from '../shared/adapters/dynamodb-store';
import { StepFunctionsOrchestrator } from '../shared/adapters/sfn-orchestrator';
import { SsmSecret } from '../shared/adapters/ssm-secrets';
import { systemClock } from '../shared/adapters/system-clock';
import { readInterfaceConfig, requireInterfaceConfig } from '../shared/config/interface-env';
import { handleApprovalRequest, approvalErrorPage, type ApprovalRouteDeps } from '../shared/interfaces/http/approval/routes';
import { ApprovalLinkSigner } from '../shared/domain/approval/signing';
import { httpHandler, type HttpHandler } from './lib/http-handler';
import { lazyHandler } from './lib/lazy';

const config = readInterfaceConfig(process.env);
const dynamodb = new DynamoDBClient({});
const sfn = new SFNClient({});
const ssm = new SSMClient({});

/**
 * The public approval routes (no IAM: the link's HMAC signature is the credential):
 * `GET /approvals/{id}` shows the confirmation page and changes nothing; `POST /approvals/{id}`
 * decides, once.
 */
export function createHandler(deps: ApprovalRouteDeps): HttpHandler {
  return httpHandler('approvals', (request) => handleApprovalRequest(deps, request), approvalErrorPage);
}

/** Lambda entry point: ports over the real AWS, built at the first invocation. */
export const handler: HttpHandler = lazyHandler(build);

function build(): HttpHandler {
  const { tableName, approvalSecretParameter } = requireInterfaceConfig(config, ['tableName', 'approvalSecretParameter']);
  const secret = new SsmSecret(ssm, approvalSecretParameter);
  return createHandler({
    store: new DynamoDbDeploymentStore(dynamodb, tableName, systemClock),
    orchestrator: new StepFunctionsOrchestrator(sfn),
    clock: systemClock,
    // The secret's one cache is SsmSecret's (Powertools Parameters, max age): a failed read is
    // retried by the next request.
    signer: async () => new ApprovalLinkSigner(Buffer.from(await secret.value(), 'utf8')),
  });
}
