import { ChannelDeliveryError } from '../model/engine-errors';
import type { GitHubSource, KindFilter, NotificationKind } from '../model/notification';
import type { EventChannel, PublishedEvent } from '../ports/notifier';
import { sanitise } from '../text/sanitise';

/** GitHub's REST API. */
export const GITHUB_API = 'https://api.github.com';
/** The REST API version fledge speaks (`X-GitHub-Api-Version`). */
export const GITHUB_API_VERSION = '2022-11-28';
/** The `task` of the GitHub deployments fledge creates: how it finds its own again. */
export const GITHUB_TASK = 'deploy:fledge';
/** One request's time limit, answer included (real ms). */
export const GITHUB_TIMEOUT_MS = 5000;

/** A GitHub deployment status state. */
export type GitHubState = 'in_progress' | 'success' | 'failure' | 'error';

/** The status each kind sets on the GitHub deployment. */
export const GITHUB_STATES: Readonly<Record<NotificationKind, GitHubState>> = {
  started: 'in_progress',
  weight: 'in_progress',
  approvalRequested: 'in_progress',
  approvalGiven: 'in_progress',
  approvalRejected: 'failure',
  promoted: 'success',
  rolledBack: 'failure',
  rejected: 'failure',
  drifted: 'error',
  failed: 'error',
};

/**
 * GitHub deployment status for deployments whose spec names `source.github`: on the first event
 * of a deployment it creates a GitHub deployment of the ref (`POST /repos/{owner}/{repo}/deployments`,
 * task {@link GITHUB_TASK}, the fledge deployment id in its payload), and on each event sets its
 * status (`POST …/deployments/{id}/statuses`) with a link to the deployment. It keeps nothing: the
 * GitHub deployment is found again by listing the ref's deployments of that task and environment
 * and matching the payload, so a cold start or another function finds the same one.
 * Events of deployments without `source.github` are not its business and pass.
 */
export class GitHubDeploymentsChannel implements EventChannel {
  readonly name = 'github';

  constructor(
    private readonly token: () => Promise<string>,
    readonly kinds: KindFilter,
    private readonly options: { readonly apiBase?: string; readonly link?: (deploymentId: string) => string | undefined } = {},
  ) {}

  async deliver(event: PublishedEvent): Promise<void> {
    const n = event.notification;
    const source = n.github;
    if (!source) return;
    const environment = source.environment ?? n.alias;
    const repo = `/repos/${source.repository.split('/').map(encodeURIComponent).join('/')}`;
    const id = (await this.find(repo, source, environment, n.deploymentId)) ?? (await this.create(repo, source, environment, n));
    await this.request('POST', `${repo}/deployments/${id}/statuses`, githubStatusOf(event, this.options.link?.(n.deploymentId)));
  }

  private async find(repo: string, source: GitHubSource, environment: string, deploymentId: string): Promise<number | undefined> {
    const query = new URLSearchParams({ ref: source.ref, task: GITHUB_TASK, environment, per_page: '100' });
    const list = await this.request('GET', `${repo}/deployments?${query}`);
    if (!Array.isArray(list)) return undefined;
    const own = list.find((d: { payload?: { fledgeDeploymentId?: unknown } }) => d?.payload?.fledgeDeploymentId === deploymentId) as { id?: unknown } | undefined;
    return typeof own?.id === 'number' ? own.id : undefined;
  }

  private async create(repo: string, source: GitHubSource, environment: string, n: PublishedEvent['notification']): Promise<number> {
    const created = (await this.request('POST', `${repo}/deployments`, {
      ref: source.ref,
      task: GITHUB_TASK,
      // fledge deploys what the CI built; it does not merge branches or wait for checks.
      auto_merge: false,
      required_contexts: [],
      environment,
      description: clip(sanitise(`fledge: ${n.functionName}:${n.alias}`), 140),
      payload: { fledgeDeploymentId: n.deploymentId, functionName: n.functionName, alias: n.alias },
    })) as { id?: unknown } | undefined;
    if (typeof created?.id !== 'number') throw new ChannelDeliveryError('GitHub created no deployment (no id in its answer)', false);
    return created.id;
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let token: string;
    try {
      token = await this.token();
    } catch (error) {
      throw new ChannelDeliveryError(`the GitHub token cannot be read: ${(error as Error).message}`, false, { cause: error });
    }
    let response: Response;
    try {
      response = await fetch(`${this.options.apiBase ?? GITHUB_API}${path}`, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'x-github-api-version': GITHUB_API_VERSION,
          'user-agent': 'fledge',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: 'error',
        signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ChannelDeliveryError(`GitHub did not answer ${method} ${path.split('?')[0]} (${(error as Error).name === 'TimeoutError' ? 'timeout' : 'no connection'})`, true, { cause: error });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      // 403 with the rate limit spent and 429 are GitHub's "later"; other 4xx will not change.
      const limited = response.status === 429 || (response.status === 403 && response.headers.get('x-ratelimit-remaining') === '0');
      throw new ChannelDeliveryError(`GitHub answered ${response.status} to ${method} ${path.split('?')[0]}`, limited || response.status >= 500);
    }
    try {
      return text === '' ? undefined : JSON.parse(text);
    } catch {
      return undefined;
    }
  }
}

/**
 * The body of the status an event sets on its GitHub deployment (`POST …/deployments/{id}/statuses`):
 * the kind's state, a description of at most 140 characters, the environment (default: the
 * alias), the deployment's link as `log_url`, and `auto_inactive` on success.
 */
export function githubStatusOf(event: PublishedEvent, link?: string): { state: GitHubState; description: string; environment: string; log_url?: string; auto_inactive: boolean } {
  const n = event.notification;
  const state = GITHUB_STATES[n.kind];
  return { state, description: clip(describe(event), 140), environment: n.github?.environment ?? n.alias, ...(link ? { log_url: link } : {}), auto_inactive: state === 'success' };
}

function describe(event: PublishedEvent): string {
  const n = event.notification;
  switch (n.kind) {
    case 'started':
      return `fledge: ${n.strategy} deployment started`;
    case 'weight':
      return `fledge: ${n.percent}% on version ${n.version}`;
    case 'approvalRequested':
      return `fledge: waiting for approval at ${n.currentWeight}%`;
    case 'approvalGiven':
      return `fledge: approved by ${sanitise(n.by)}`;
    case 'approvalRejected':
      return `fledge: rejected by ${sanitise(n.by)}`;
    case 'promoted':
      return `fledge: version ${n.evidence.version} serves all traffic`;
    case 'rolledBack':
      return `fledge: rolled back: ${sanitise(n.reason)}`;
    case 'drifted':
      return `fledge: alias changed by someone else`;
    case 'failed':
      return `fledge: FAILED, check the alias: ${sanitise(n.reason)}`;
    case 'rejected':
      return `fledge: refused: ${sanitise(n.reason)}`;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
