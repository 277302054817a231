import type { AliasState, DeploymentRecord } from '../../model/deployment';
import type { DeploymentSpec } from '../../model/spec';
import { LIMITS } from '../../model/spec-limits';
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
 * deployment published, or (4) another deployment of the function that still needs its
 * versions ({@link stillNeeds}: open, recently ended, or inside its undo window) published or
 * snapshotted — whatever `keep` says. Newest first.
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

/**
 * Whether `other` — another deployment of the function, as read at `now` — still needs its
 * versions: while it is open; for {@link RECENTLY_ENDED_MS} after it ended, whatever its ending
 * (callers may still be routed to them while an alias update propagates); and for `undoWindowMs`
 * after it SUCCEEDED or was a `fledge rollback`, so the version it left stays for an undo.
 */
export function stillNeeds(other: Pick<DeploymentRecord, 'status' | 'updatedAt' | 'undo'>, now: number, undoWindowMs: number): boolean {
  if (!isTerminal(other.status)) return true;
  const since = now - other.updatedAt;
  if (since < RECENTLY_ENDED_MS) return true;
  return (other.status === 'SUCCEEDED' || other.undo !== undefined) && since < undoWindowMs;
}

/** The undo window `spec` asks for, in ms (the default for a spec normalised before it existed). */
export function undoWindowMsOf(spec: Pick<DeploymentSpec, 'cleanup'>): number {
  return (spec.cleanup?.undoWindow ?? LIMITS.defaultUndoWindow) * 1000;
}

/** Pages of the function's deployments read back through the undo window, newest first. */
const MAX_PAGES = 20;

/**
 * Other deployments of the function (any alias) that still need their versions ({@link stillNeeds}):
 * the open ones by status (exact, however old), and the ended ones from the newest pages, read back
 * until a page starts before the undo window and the longest a deployment may run.
 */
async function otherDeployments(deps: Pick<EngineDeps, 'store'>, record: DeploymentRecord, now: number): Promise<DeploymentRecord[]> {
  const { store } = deps;
  const found = new Map<string, DeploymentRecord>();
  const window = undoWindowMsOf(record.spec);
  for (const status of OPEN_STATUSES) {
    for (const item of (await store.listDeployments({ functionName: record.functionName, status, limit: RECENT_DEPLOYMENTS_PAGE })).items) found.set(item.deploymentId, item);
  }
  // A deployment created before this may have ended inside the window: it ran for at most the longest timeout.
  const oldest = now - Math.max(window, RECENTLY_ENDED_MS) - LIMITS.maxDeploymentTimeout * 1000;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const out = await store.listDeployments({ functionName: record.functionName, limit: RECENT_DEPLOYMENTS_PAGE, ...(cursor ? { cursor } : {}) });
    for (const item of out.items) if (stillNeeds(item, now, window)) found.set(item.deploymentId, item);
    cursor = out.cursor;
    const last = out.items[out.items.length - 1];
    if (!cursor || !last || last.createdAt < oldest) break;
  }
  found.delete(record.deploymentId);
  return [...found.values()];
}
