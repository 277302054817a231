import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { createHandler as createApiHandler } from '../../functions/api';
import { createHandler as createApprovalsHandler } from '../../functions/approval-pages';
import { startApiServer, type LocalApiServer, type LocalHttpHandler } from '../../local/api-server';
import { localSigningSecret } from '../../local/approval-secret';
import type { ControlPlaneOptions } from '../../local/fledge-on-local';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb-store';
import { LambdaRegistryAdapter } from '../../shared/adapters/lambda-registry';
import { S3ArtifactInspector } from '../../shared/adapters/s3-artifacts';
import { StepFunctionsOrchestrator } from '../../shared/adapters/sfn-orchestrator';
import { SnsNotifier } from '../../shared/adapters/sns-notifier';
import { controlPlaneHome } from '../../shared/config/home';
import { CursorSigner } from '../../shared/interfaces/http/api/cursor';
import type { ApiDeps } from '../../shared/interfaces/http/api/routes';
import { approvalLinks, ApprovalLinkSigner } from '../../shared/domain/approval/signing';
import { existingFunction, startEngine, uploadArtifact, userCode, type EngineWorld } from '../support/engine';
import { clientConfig, s3ClientConfig } from '../support/local-aws';

/** The engine world plus fledge's HTTP interfaces served locally, as local mode serves them. */
export interface InterfaceWorld extends EngineWorld {
  readonly api: LocalApiServer;
  readonly signer: ApprovalLinkSigner;
  /** The ports the API and the approval pages use (their own SDK clients, see {@link interfaceDeps}). */
  readonly interfaceDeps: ApiDeps;
}

/**
 * Starts the embedded AWS with fledge provisioned, and the local API server with the approval
 * pages and the management API. Approval messages carry links signed with a fresh secret,
 * pointing at the local API.
 */
export async function startInterfaces(options: ControlPlaneOptions & { timeScale?: number } = {}): Promise<InterfaceWorld> {
  const secret = await localSigningSecret(undefined);
  const signer = new ApprovalLinkSigner(secret);
  let baseUrl = '';
  const engine = await startEngine({ ...options, approvalLinks: (approvalId, expiresAt) => approvalLinks(baseUrl, signer, approvalId, expiresAt) });
  const deps = interfaceDeps(engine, new CursorSigner(secret));
  const approvals = createApprovalsHandler({ ...deps, signer: async () => signer }) as LocalHttpHandler;
  const api = createApiHandler(deps) as LocalHttpHandler;
  const server = await startApiServer({ port: 0, api, approvals });
  baseUrl = server.url;
  return {
    ...engine,
    api: server,
    signer,
    interfaceDeps: deps,
    async stop() {
      await server.stop();
      for (const client of deps.clients) client.destroy();
      await engine.stop();
    },
  };
}

/**
 * The API's ports over the embedded AWS, with SDK clients of their own that retry as the SDK
 * does on AWS (3 attempts): the engine's clients make one attempt only, leaving retries to the
 * state machine, but a person's request has no state machine behind it.
 */
export function interfaceDeps(engine: EngineWorld, cursors: CursorSigner): ApiDeps & { readonly clients: readonly { destroy(): void }[] } {
  const { plane, aws } = engine;
  const retrying = { ...clientConfig(aws), maxAttempts: 3 };
  const clock = plane.deps.clock;
  const clients = { dynamodb: new DynamoDBClient(retrying), sfn: new SFNClient(retrying), sns: new SNSClient(retrying), lambda: new LambdaClient(retrying), s3: new S3Client({ ...s3ClientConfig(aws), maxAttempts: 3 }) };
  return {
    store: new DynamoDbDeploymentStore(clients.dynamodb, plane.tableName, clock),
    orchestrator: new StepFunctionsOrchestrator(clients.sfn, plane.stateMachineArn),
    notifier: new SnsNotifier(clients.sns, { notifications: plane.notificationTopicArn, approvals: plane.approvalTopicArn }),
    lambda: new LambdaRegistryAdapter(clients.lambda, clock),
    artifacts: new S3ArtifactInspector(clients.s3),
    clock,
    region: aws.region,
    home: controlPlaneHome(plane.stateMachineArn),
    artifactsBucket: plane.bucket,
    cursors: async () => cursors,
    clients: Object.values(clients),
  };
}

/** An existing function `name` on version 1 and its v2 zip uploaded under `<name>/v2.zip`: what most API tests deploy. */
export async function preparedFunction(world: EngineWorld, name: string): Promise<string> {
  await existingFunction(world, name);
  await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
  return name;
}
