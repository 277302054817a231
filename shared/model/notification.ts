import type { PromotionEvidence } from './deployment';
import { ConfigurationError } from './engine-errors';

/**
 * Where a deployment's code comes from, as the CI integration says it (the spec's
 * `source.github`): fledge reports the deployment's progress to that repository's GitHub
 * deployments (docs/events.md#github-deployment-status).
 */
export interface GitHubSource {
  /** `owner/name`. */
  readonly repository: string;
  /** The branch, tag or commit SHA deployed. */
  readonly ref: string;
  /** The GitHub environment; default the alias name. */
  readonly environment?: string;
}

/** Facts every notification carries. */
export interface NotificationFacts {
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly newVersion?: string;
  readonly previousVersion?: string;
  readonly startedBy: string;
  /** The target of a wave run this deployment deployed to (`eu (account 111111111111, eu-west-1)`); absent for fledge's own account and region. */
  readonly target?: string;
  /** The spec's `source.github`, when the deployment came from a GitHub repository. */
  readonly github?: GitHubSource;
  /** A group's deployment: every member, with its versions and how it ended. */
  readonly members?: readonly MemberFacts[];
  /** A wave run (a spec with targets): every target, with its version and how it ended. */
  readonly targets?: readonly TargetFacts[];
}

/** One target of a wave run, as the run's notification names it. */
export interface TargetFacts {
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly status: string;
  readonly newVersion?: string;
  readonly previousVersion?: string;
}

/** One member of a group, as a notification names it. */
export interface MemberFacts {
  readonly functionName: string;
  readonly alias: string;
  readonly newVersion?: string;
  readonly previousVersion?: string;
  readonly status?: string;
}

/** Something a person should know about a deployment. */
export type DeploymentNotification =
  | (NotificationFacts & { readonly kind: 'started'; readonly source: string; readonly strategy: string })
  | (NotificationFacts & { readonly kind: 'weight'; readonly percent: number; readonly version: string })
  | (NotificationFacts & { readonly kind: 'approvalGiven' | 'approvalRejected'; readonly approvalId: string; readonly by: string; readonly comment?: string })
  | (NotificationFacts & { readonly kind: 'promoted'; readonly evidence: PromotionEvidence })
  | (NotificationFacts & { readonly kind: 'rolledBack'; readonly reason: string })
  | (NotificationFacts & { readonly kind: 'drifted'; readonly reason: string; readonly aliasDescription: string })
  | (NotificationFacts & { readonly kind: 'failed'; readonly reason: string; readonly aliasDescription: string })
  | (NotificationFacts & { readonly kind: 'rejected'; readonly reason: string })
  | (NotificationFacts & {
      readonly kind: 'approvalRequested';
      readonly approvalId: string;
      /** Epoch ms after which the approval counts as rejected. */
      readonly expiresAt: number;
      readonly message?: string;
      readonly currentWeight: number;
      readonly health: string;
    });

/** The kind of a notification. */
export type NotificationKind = DeploymentNotification['kind'];

/**
 * Every kind, each with its EventBridge detail-type (docs/events.md): the one list channel
 * filters are checked against and the docs' schema table is held to.
 */
export const NOTIFICATION_KINDS = {
  started: 'Deployment Started',
  weight: 'Deployment Weight Changed',
  approvalRequested: 'Deployment Approval Requested',
  approvalGiven: 'Deployment Approval Given',
  approvalRejected: 'Deployment Approval Rejected',
  promoted: 'Deployment Succeeded',
  rolledBack: 'Deployment Rolled Back',
  drifted: 'Deployment Drifted',
  failed: 'Deployment Failed',
  rejected: 'Deployment Refused',
} as const satisfies Record<NotificationKind, string>;

/** The kinds that end a deployment: sent to SNS through the ending's once-claim (finish.ts), not as progress. */
export const ENDING_KINDS: ReadonlySet<NotificationKind> = new Set(['promoted', 'rolledBack', 'drifted', 'failed', 'rejected']);

/** The kinds, in the order of {@link NOTIFICATION_KINDS}. */
export const ALL_NOTIFICATION_KINDS = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

/** Which kinds a channel takes: `all`, `none`, or a comma-separated list of kinds (docs/events.md#filters). */
export type KindFilter = ReadonlySet<NotificationKind>;

/**
 * Reads a filter: `all`, `none`, or kinds separated by commas (spaces ignored). Also accepts the
 * groups `approvals` (approvalRequested, approvalGiven, approvalRejected), `endings` (the five
 * endings) and `failures` (rolledBack, drifted, failed, rejected). An unknown word is refused
 * ({@link ConfigurationError}: filters are the stack's settings) with the list of known ones.
 */
export function parseKindFilter(text: string, where: string): KindFilter {
  const words = text.split(',').map((word) => word.trim()).filter((word) => word !== '');
  if (words.length === 1 && words[0] === 'all') return new Set(ALL_NOTIFICATION_KINDS);
  if (words.length === 0 || (words.length === 1 && words[0] === 'none')) return new Set();
  const kinds = new Set<NotificationKind>();
  for (const word of words) {
    const group = KIND_GROUPS[word];
    if (group) for (const kind of group) kinds.add(kind);
    else if (word in NOTIFICATION_KINDS) kinds.add(word as NotificationKind);
    else throw new ConfigurationError(`${where}: unknown event kind "${word.slice(0, 40)}"; known: all, none, ${Object.keys(KIND_GROUPS).join(', ')}, ${ALL_NOTIFICATION_KINDS.join(', ')}`);
  }
  return kinds;
}

const KIND_GROUPS: Readonly<Record<string, readonly NotificationKind[]>> = {
  approvals: ['approvalRequested', 'approvalGiven', 'approvalRejected'],
  endings: ['promoted', 'rolledBack', 'drifted', 'failed', 'rejected'],
  failures: ['rolledBack', 'drifted', 'failed', 'rejected'],
};

/**
 * The words a filter may name that take `kind`: the kind itself, each group it belongs to, and
 * `all`. The SNS notifier sends them as the message attribute `events` (a String.Array), so an
 * SNS subscription filter policy `{"events": [<the filter's words>]}` takes exactly what
 * {@link parseKindFilter} would.
 */
export function filterWordsOf(kind: NotificationKind): string[] {
  return [kind, ...Object.entries(KIND_GROUPS).filter(([, kinds]) => kinds.includes(kind)).map(([group]) => group), 'all'];
}

/** What e-mail receives unless the installation says otherwise: the stack's `EmailEvents` default (approvals and endings). */
export const DEFAULT_EMAIL_EVENTS = 'approvals,endings';

/** The SNS subscription filter policy of an e-mail channel taking the events `words` names (docs/events.md#filters), as the stack writes it. */
export function emailFilterPolicy(words: string = DEFAULT_EMAIL_EVENTS): string {
  return JSON.stringify({ events: words.split(',') });
}
