import type { EndedDeployment, EndingsQuery } from '../model/delivery';
import type { AliasLock, ApprovalRecord, DeploymentEvent, DeploymentRecord, DeploymentStatus, NotificationClaim } from '../model/deployment';

/** Fields of a record a task may change; `undefined` values are left alone, `null` removes. */
export type DeploymentPatch = {
  readonly [K in Exclude<keyof DeploymentRecord, 'deploymentId' | 'createdAt'>]?: DeploymentRecord[K] | null;
};

/** Conditions of {@link DeploymentStore.updateDeployment}. */
export interface UpdateConditions {
  readonly onlyIfStatusIn?: readonly DeploymentStatus[];
  readonly unlessAbandoned?: boolean;
}

/** An ending marked as still settling ({@link DeploymentStore.markSettling}). */
export interface SettlingMark {
  readonly deploymentId: string;
  /** Epoch ms of the ending. */
  readonly at: number;
}

/** Filters of {@link DeploymentStore.listDeployments}; each combination is one index query. */
export interface DeploymentQuery {
  readonly functionName?: string;
  readonly alias?: string;
  readonly status?: DeploymentStatus;
  readonly limit: number;
  /** Opaque, from the previous page. */
  readonly cursor?: string;
}

/**
 * The deployments table: records, their history, the per-alias locks and the approvals.
 * Every write is conditional or idempotent so a retried task changes nothing twice.
 */
export interface DeploymentStore {
  /**
   * Creates the record unless one with this id exists; returns the stored record either way. With
   * `replacePlaceholder`, a still-`PENDING` {@link DeploymentRecord.placeholder} counts as absent
   * and is replaced (never a real record).
   */
  createDeployment(record: DeploymentRecord, options?: { readonly replacePlaceholder?: boolean }): Promise<DeploymentRecord>;
  getDeployment(deploymentId: string): Promise<DeploymentRecord | undefined>;
  /**
   * Applies `patch`; when `onlyIfStatusIn` is given, only if the current status is one of them;
   * with `unlessAbandoned`, only if the safety net has not taken the deployment over.
   * Returns the updated record, or `undefined` when the condition did not hold.
   */
  updateDeployment(deploymentId: string, patch: DeploymentPatch, options?: UpdateConditions): Promise<DeploymentRecord | undefined>;
  /**
   * Takes the lease on sending the notification of the ending `claim.key`, atomically: only while
   * that key is not in the record's `notified` and no other claimant holds an unexpired claim
   * (its `until` after `now`). Returns false when it was not taken (sent already, or being sent).
   */
  claimNotification(deploymentId: string, claim: NotificationClaim, now: number): Promise<boolean>;
  /**
   * Records that the notification of the ending `key` was sent (atomically added to the record's
   * `notified`), and drops the claim of `claimant` if it still holds it. Returns false when it was
   * recorded already.
   */
  markNotified(deploymentId: string, key: string, claimant?: string): Promise<boolean>;
  /** Drops the claim of `claimant` (its send failed: the next finisher need not wait for the lease); someone else's is left. */
  releaseNotificationClaim(deploymentId: string, claimant: string): Promise<void>;
  /**
   * Marks the ending of a deployment as having side effects left to do, until {@link markSettled}:
   * the sweeper's list of endings to complete ({@link listSettling}).
   */
  markSettling(deploymentId: string, at: number): Promise<void>;
  /** Removes the mark of {@link markSettling}; absent is fine. */
  markSettled(deploymentId: string): Promise<void>;
  /** The deployments whose ending is marked as still settling, with the time of the ending (the mark's `at`). */
  listSettling(): Promise<readonly SettlingMark[]>;
  /** Appends unless an event with the same key exists. Returns whether it was new. */
  appendEvent(event: DeploymentEvent): Promise<boolean>;
  /** The history in the order it happened. */
  listEvents(deploymentId: string): Promise<readonly DeploymentEvent[]>;
  /**
   * The deployments that ended in [from, to) (of one function, or all), with only the fields the
   * delivery metrics need: read from a sparse index written with the terminal status, so the cost
   * is that of the endings in the window, never of whole records.
   */
  listEndings(query: EndingsQuery): Promise<readonly EndedDeployment[]>;
  /** Newest first. */
  listDeployments(query: DeploymentQuery): Promise<{ readonly items: readonly DeploymentRecord[]; readonly cursor?: string }>;

  /**
   * Takes the lock when it is free, already ours, expired, or `takeOverFrom` still holds it.
   * Returns `undefined` when taken, or the lock as it stands when someone else holds it.
   */
  acquireLock(lock: AliasLock, now: number, takeOverFrom?: string): Promise<AliasLock | undefined>;
  getLock(functionName: string, alias: string): Promise<AliasLock | undefined>;
  /** Every lock held, whoever holds it (the sweeper's list of deployments that may have work left). */
  listLocks(): Promise<readonly AliasLock[]>;
  /** Releases the lock if `holder` holds it; otherwise does nothing. */
  releaseLock(functionName: string, alias: string, holder: string): Promise<void>;

  /** Stores (or, on a retried request, replaces the token of) a pending approval. */
  putApproval(approval: ApprovalRecord): Promise<void>;
  getApproval(approvalId: string): Promise<ApprovalRecord | undefined>;
  /**
   * Moves a PENDING approval to its decision. Returns the approval as it was before, or
   * `undefined` when it was not PENDING (already decided or expired): decisions are single-use.
   */
  decideApproval(approvalId: string, decision: { status: 'APPROVED' | 'REJECTED' | 'EXPIRED'; by?: string; at: number; comment?: string }): Promise<ApprovalRecord | undefined>;
  /** Puts a claimed approval back to PENDING (its decision could not be delivered and may be retried). */
  reopenApproval(approvalId: string): Promise<void>;
}
