import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** A GitHub deployment the stand-in created, as `POST /repos/{owner}/{repo}/deployments` asked. */
export interface CreatedGithubDeployment {
  readonly id: number;
  readonly repository: string;
  readonly ref: string;
  readonly environment: string;
  readonly payload: unknown;
}

/** A local stand-in of GitHub's deployments API, with what it was asked. */
export interface GithubStandIn extends WebhookReceiver {
  /** Every deployment created, in order. */
  readonly created: CreatedGithubDeployment[];
  /** The states of the statuses set on the GitHub deployment of a fledge deployment (by its payload's id), in order. */
  statesOf(fledgeDeploymentId: string): string[];
}

/**
 * Starts a stand-in of GitHub's deployments API on 127.0.0.1 with the request shapes of
 * docs.github.com/rest/deployments: list (`GET …/deployments?ref&environment`), create
 * (`POST …/deployments`, 201 with the deployment) and statuses (`POST …/deployments/{id}/statuses`).
 */
export async function startGithubStandIn(): Promise<GithubStandIn> {
  const receiver = await startWebhookReceiver();
  const created: CreatedGithubDeployment[] = [];
  receiver.answer = (request) => {
    const url = new URL(request.path, 'http://github');
    const repository = /^\/repos\/([^/]+\/[^/]+)\/deployments/.exec(url.pathname)?.[1];
    if (request.method === 'GET' && /\/deployments$/.test(url.pathname)) {
      const listed = created.filter((d) => d.repository === repository && d.ref === url.searchParams.get('ref') && d.environment === url.searchParams.get('environment'));
      return { status: 200, body: JSON.stringify(listed) };
    }
    if (request.method === 'POST' && repository !== undefined && /\/deployments$/.test(url.pathname)) {
      const body = JSON.parse(request.body) as { ref: string; environment: string; payload: unknown };
      const deployment = { id: 1000 + created.length, repository, payload: body.payload, ref: body.ref, environment: body.environment };
      created.push(deployment);
      return { status: 201, body: JSON.stringify(deployment) };
    }
    if (request.method === 'POST' && /\/deployments\/\d+\/statuses$/.test(url.pathname)) return { status: 201, body: '{"id": 1}' };
    return { status: 404, body: '{"message": "Not Found"}' };
  };
  return Object.assign(receiver, {
    created,
    statesOf(fledgeDeploymentId: string): string[] {
      const deployment = created.find((d) => (d.payload as { fledgeDeploymentId?: string } | null)?.fledgeDeploymentId === fledgeDeploymentId);
      if (deployment === undefined) return [];
      const path = `/repos/${deployment.repository}/deployments/${deployment.id}/statuses`;
      return receiver.requests.filter((r) => r.method === 'POST' && r.path === path).map((r) => (JSON.parse(r.body) as { state: string }).state);
    },
  });
}
