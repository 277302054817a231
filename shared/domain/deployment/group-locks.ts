import type { EngineDeps } from './deps';
import { LockConflictError } from '../../model/engine-errors';
import type { AliasLock, DeploymentRecord, GroupMemberRef } from '../../model/deployment';
import { lockNameOf } from './record';
import { acquireOrTakeOver, LOCK_MARGIN_MS } from './prepare';

/**
 * Takes the lock of every member of a group, or none: DynamoDB's conditional puts, one per alias,
 * in one global order (function, then alias), and on the first lock held by another deployment
 * every lock this call took is released before the group is refused. Never waiting on a held lock
 * and always taking locks in the same order, two groups that share a function cannot deadlock: the
 * one that reaches the shared alias second is refused (`fledge.LockConflict`) and holds nothing.
 * (A lock the refused group held for an instant may have refused a third deployment meanwhile —
 * a refusal, never a split alias.) Safe to retry: locks already ours are taken again.
 */
export async function takeGroupLocks(deps: Pick<EngineDeps, 'store'>, groupId: string, members: readonly (GroupMemberRef & Pick<DeploymentRecord, 'target'>)[], deadline: number, now: number): Promise<void> {
  const { store } = deps;
  const order = [...members].sort((a, b) => (a.functionName === b.functionName ? compare(a.alias, b.alias) : compare(a.functionName, b.functionName)));
  const taken: AliasLock[] = [];
  for (const member of order) {
    // Named as a lone deployment's (per target of a wave run), so the two exclude each other.
    const lock: AliasLock = { functionName: lockNameOf(member), alias: member.alias, holder: member.deploymentId, expiresAt: deadline + LOCK_MARGIN_MS };
    const held = await acquireOrTakeOver(deps, lock, now);
    if (!held) {
      taken.push(lock);
      continue;
    }
    for (const mine of taken.reverse()) await store.releaseLock(mine.functionName, mine.alias, mine.holder);
    const holder = await store.getDeployment(held.holder);
    const by = holder?.groupId ? `group deployment ${holder.groupId}` : held.holder;
    throw new LockConflictError(
      `${member.functionName}:${member.alias} is being deployed by ${by} (lock held until ${new Date(held.expiresAt).toISOString()}); group deployment ${groupId} was not started: it takes the locks of all its members or none`,
      holder?.groupId ?? held.holder,
    );
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
