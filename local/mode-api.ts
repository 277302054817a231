import { createHandler as createApiHandler } from '../functions/api';
import { createHandler as createApprovalsHandler } from '../functions/approval-pages';
import { S3ArtifactInspector } from '../shared/adapters/s3-artifacts';
import { controlPlaneHome } from '../shared/config/home';
import { CursorSigner } from '../shared/interfaces/http/api/cursor';
import { approvalLinks, ApprovalLinkSigner } from '../shared/domain/approval/signing';
import type { ApprovalLinkBuilder } from '../shared/adapters/sns-notifier';
import { startApiServer, type LocalApiServer, type LocalHttpHandler } from './api-server';
import { localSigningSecret } from './approval-secret';
import type { LocalControlPlane } from './fledge-on-local';

/**
 * The approval-link half of local mode's API, made before the control plane exists: the plane's
 * notifier needs the link builder, while the server's URL is known only once it listens.
 */
export interface LocalApiLinks {
  readonly signer: ApprovalLinkSigner;
  /** Seals the API's list cursors with a key derived from the same secret, as on AWS. */
  readonly cursors: CursorSigner;
  /** Builds signed links under the API's URL, once {@link LocalApiLinks.setBaseUrl} was called. */
  readonly builder: ApprovalLinkBuilder;
  setBaseUrl(url: string): void;
}

/** The signing secret is kept in the data directory, so links mailed before a restart still work after it. */
export async function localApiLinks(dataDir: string | undefined): Promise<LocalApiLinks> {
  const secret = await localSigningSecret(dataDir);
  const signer = new ApprovalLinkSigner(secret);
  let baseUrl: string | undefined;
  return {
    signer,
    cursors: new CursorSigner(secret),
    builder: (approvalId, expiresAt) => {
      if (baseUrl === undefined) throw new Error('local mode: an approval link was asked for before the API listened');
      return approvalLinks(baseUrl, signer, approvalId, expiresAt);
    },
    setBaseUrl: (url) => {
      baseUrl = url;
    },
  };
}

/**
 * Serves fledge's HTTP API on a local port as API Gateway serves it on AWS: the approval pages
 * (`/approvals/…`, the same handler as the Lambda behind the public route) and the deployments API.
 */
export async function startLocalApiServer(plane: LocalControlPlane, links: LocalApiLinks, listen: { port: number; host: string; region: string }): Promise<LocalApiServer> {
  const approvals = createApprovalsHandler({ ...plane.deps, signer: async () => links.signer }) as LocalHttpHandler;
  // The same handler as the Lambda behind the IAM-authorised routes on AWS; locally the caller is "local".
  const api = createApiHandler({
    ...plane.deps,
    artifacts: new S3ArtifactInspector(plane.clients.s3),
    artifactsBucket: plane.bucket,
    region: listen.region,
    cursors: async () => links.cursors,
    home: controlPlaneHome(plane.stateMachineArn),
  }) as LocalHttpHandler;
  const server = await startApiServer({ port: listen.port, host: listen.host, api, approvals });
  links.setBaseUrl(server.url);
  return server;
}
