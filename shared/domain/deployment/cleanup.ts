import type { AliasState, DeploymentRecord } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import type { EngineDeps } from './deps';
import { TransientAwsError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import { OPEN_STATUSES } from './record';

/**
 * How long after another deployment of the same function ended its versions stay protected:
 * an alias update takes a moment to reach every Lambda front end, and callers may still be
 * routed to the version that deployment left during that time.
 */
export const RECENTLY_ENDED_MS = 15 * 60 * 1000;

/** Deployments of the function read to find the versions they still need (one page, newest first). */
const RECENT_DEPLOYMENTS_PAGE = 100;

/** What the cleanup rule looks at. */
export interface CleanupFacts {
  /** Numbered versions of the function. */
  readonly versions: readonly string[];
  /** Every alias of the function, as read now. */
  readonly aliases: readonly Pick<AliasState, 'version' | 'weights'>[];
  /** The deployment that cleans up. */
  readonly deployment: Pick<DeploymentRecord, 'newVersion' | 'snapshot'>;
  /** Other deployments of the function that are open or ended recently. */
  readonly others: readonly Pick<DeploymentRecord, 'newVersion' | 'snapshot'>[];
  /** `cleanup.keepVersions`. */
  readonly keep: number;
}

/**
 * The versions a cleanup may delete: beyond the newest `keep`, and never a version that
 * (1) any alias points at or routes to, (2) this deployment moved its alias away from (the
 * rollback target callers may still reach while the alias update propagates), (3) this
 * deployment published, or (4) another open or recently ended deployment of the function
 * published or snapshotted — whatever `keep` says. Newest first.
 */
export function versionsToDelete(facts: CleanupFacts): string[] {
  const kept = new Set(protectedVersions(facts));
  const newestFirst = [...facts.versions].sort((a, b) => Number(b) - Number(a));
  return newestFirst.slice(Math.max(0, facts.keep)).filter((version) => !kept.has(version));
}

/** Every version the cleanup must leave, whatever `keepVersions` says. */
export function protectedVersions(facts: Pick<CleanupFacts, 'aliases' | 'deployment' | 'others'>): string[] {
  const versions = new Set<string>();
  for (const alias of facts.aliases) {
    versions.add(alias.version);
    for (const version of Object.keys(alias.weights)) versions.add(version);
  }
  for (const deployment of [facts.deployment, ...facts.others]) {
    if (deployment.newVersion !== undefined) versions.add(deployment.newVersion);
    if (deployment.snapshot?.alias) versions.add(deployment.snapshot.alias.version);
  }
  return [...versions];
}

/**
 * Deletes the versions {@link versionsToDelete} allows. Failures are recorded, never fatal:
 * rolling back a promoted version because a cleanup failed would be worse than a leftover version.
 */
export async function cleanupVersions(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock'>, record: DeploymentRecord, keep: number): Promise<string[]> {
  const { lambda, store, clock } = deps;
  const removed: string[] = [];
  try {
    const versions = await lambda.listVersions(record.functionName);
    const aliases = await lambda.listAliases(record.functionName);
    const others = await otherDeployments(deps, record, clock.now());
    for (const version of versionsToDelete({ versions, aliases, deployment: record, others, keep })) {
      await lambda.deleteVersion(record.functionName, version);
      removed.push(version);
    }
  } catch (error) {
    await store.appendEvent(
      event(record.deploymentId, eventKeys.cleanup(), 'cleanup', clock.now(), `cleanup of old versions incomplete: ${(error as Error).message}`, {
        removed,
        transient: error instanceof TransientAwsError,
      }),
    );
  }
  return removed;
}

/** Other deployments of the function (other aliases) still open, or ended less than {@link RECENTLY_ENDED_MS} ago. */
async function otherDeployments(deps: Pick<EngineDeps, 'store'>, record: DeploymentRecord, now: number): Promise<DeploymentRecord[]> {
  const { store } = deps;
  const found = new Map<string, DeploymentRecord>();
  // Open ones by status (exact, however old), recent endings from the newest page.
  for (const status of OPEN_STATUSES) {
    for (const item of (await store.listDeployments({ functionName: record.functionName, status, limit: RECENT_DEPLOYMENTS_PAGE })).items) found.set(item.deploymentId, item);
  }
  for (const item of (await store.listDeployments({ functionName: record.functionName, limit: RECENT_DEPLOYMENTS_PAGE })).items) {
    if (!isTerminal(item.status) || now - item.updatedAt < RECENTLY_ENDED_MS) found.set(item.deploymentId, item);
  }
  found.delete(record.deploymentId);
  return [...found.values()];
}
