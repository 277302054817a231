import { handler as apiHandler } from '../../functions/api';
import { startApiServer, type LocalApiServer } from '../../local/api-server';
import { localSigningSecret } from '../../local/approval-secret';
import { localClients } from '../../local/composition';
import type { ControlPlaneOptions } from '../../local/fledge-on-local';
import { localApiRoutes } from '../../local/mode-api';
import type { ApiDeps } from '../../shared/interfaces/http/api/routes';
import { ApprovalLinkSigner } from '../../shared/domain/approval/signing';
import { existingFunction, startEngine, uploadArtifact, userCode, type EngineWorld } from '../support/engine';

/** The engine world plus fledge's HTTP interfaces served locally, as local mode serves them. */
export interface InterfaceWorld extends EngineWorld {
  readonly api: LocalApiServer;
  readonly signer: ApprovalLinkSigner;
  /** The ports the API and the approval pages use (their own SDK clients, see {@link startInterfaces}). */
  readonly interfaceDeps: ApiDeps;
}

/**
 * Starts the embedded AWS with fledge provisioned, and the local API server with the approval
 * pages and the management API, built as local mode builds them. Approval messages carry links
 * signed with a fresh secret, pointing at the local API. The API's clients retry as the SDK does on
 * AWS (3 attempts): the engine's make one attempt only, leaving retries to the state machine, but
 * a person's request has no state machine behind it.
 */
export async function startInterfaces(options: ControlPlaneOptions & { timeScale?: number } = {}): Promise<InterfaceWorld> {
  const approvalSecret = await localSigningSecret(undefined);
  const server = await startApiServer({ port: 0 });
  const engine = await startEngine({ ...options, apiUrl: server.url, approvalSecret });
  const retrying = localClients(engine.aws, { maxAttempts: 3 });
  const composition = { ...engine.plane.composition, client: retrying.client };
  server.route(localApiRoutes(composition));
  return {
    ...engine,
    api: server,
    signer: new ApprovalLinkSigner(approvalSecret),
    interfaceDeps: apiHandler.depsOn(composition),
    async stop() {
      await server.stop();
      retrying.destroy();
      await engine.stop();
    },
  };
}

/** An existing function `name` on version 1 and its v2 zip uploaded under `<name>/v2.zip`: what most API tests deploy. */
export async function preparedFunction(world: EngineWorld, name: string): Promise<string> {
  await existingFunction(world, name);
  await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
  return name;
}
