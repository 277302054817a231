import { handler as apiHandler } from '../functions/api';
import { handler as approvalPagesHandler } from '../functions/approval-pages';
import type { Composition } from '../functions/lib/composition';
import { startApiServer, type LocalApiRoutes, type LocalApiServer, type LocalHttpHandler } from './api-server';

/**
 * fledge's HTTP API as local mode serves it (local/api-server.ts), as API Gateway serves it on AWS:
 * the approval pages (`/approvals/…`, the Lambda behind the public route) and the deployments API
 * (the Lambda behind the IAM-authorised routes; locally the caller is "local"), each built on `c`
 * by the same factories as its Lambda. Approval links point under the server's URL, signed with
 * the composition's approval-signing key, which the pages verify them with.
 */
export function localApiRoutes(c: Composition): LocalApiRoutes {
  return { api: apiHandler.builtOn(c) as LocalHttpHandler, approvals: approvalPagesHandler.builtOn(c) as LocalHttpHandler };
}

/** Serves {@link localApiRoutes} on `c` at `listen` (0 picks a free port). */
export function serveLocalApi(c: Composition, listen: { readonly port: number; readonly host?: string }): Promise<LocalApiServer> {
  return startApiServer({ ...listen, ...localApiRoutes(c) });
}
