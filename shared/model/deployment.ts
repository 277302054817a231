import type { DeploymentNotification } from './notification';
import type { TargetSpec, DeploymentSpec, TrafficStep } from './spec';
import type { SpecProblem } from './spec';

/** Code fledge hands to Lambda: a zip in S3 or a container image. */
export type CodeArtifact =
  | { readonly bucket: string; readonly key: string; readonly versionId?: string }
  | { readonly imageUri: string };

/**
 * A version some other tool already published (adoption, `artifact.version` / `artifact.fromLatest`
 * of the spec): fledge shifts traffic to it and touches neither code nor configuration.
 * `fromLatest` is resolved by Prepare to the highest numbered version, recorded as `publishedVersion`.
 */
export type PublishedArtifact = { readonly publishedVersion: string } | { readonly fromLatest: true };

/** Where the new version comes from, resolved by the starter (S3 trigger, API, CLI). */
export type ArtifactLocation = CodeArtifact | PublishedArtifact;

/** True for an artifact that names an already published version rather than code. */
export function isPublishedArtifact(artifact: ArtifactLocation): artifact is PublishedArtifact {
  return 'publishedVersion' in artifact || 'fromLatest' in artifact;
}

/** The location of a spec's adopted artifact (`artifact.version` / `artifact.fromLatest`); undefined for code. */
export function adoptedArtifact(artifact: DeploymentSpec['artifact']): PublishedArtifact | undefined {
  if (artifact.kind === 'published') return { publishedVersion: artifact.version };
  if (artifact.kind === 'fromLatest') return { fromLatest: true };
  return undefined;
}

/** How an artifact is named in messages: `s3://bucket/key (version v)`, the image URI, or the published version. */
export function describeArtifact(artifact: ArtifactLocation): string {
  if ('publishedVersion' in artifact) return `published version ${artifact.publishedVersion}`;
  if ('fromLatest' in artifact) return 'the highest published version';
  if ('imageUri' in artifact) return artifact.imageUri;
  return `s3://${artifact.bucket}/${artifact.key}${artifact.versionId ? ` (version ${artifact.versionId})` : ''}`;
}

/** What a starter passes to StartExecution. The execution name is the deployment id. */
export interface ExecutionInput {
  readonly deploymentId: string;
  readonly spec: DeploymentSpec;
  readonly artifact: ArtifactLocation;
  /** Who started it (IAM principal, e-mail, `s3://bucket/key`). */
  readonly startedBy: string;
  /** How it was started: `s3`, `api`, `cli`, `local`. */
  readonly source: string;
  /**
   * The target (account, region, role) this deployment runs in, when it is one target of a wave
   * run: its tasks act there with the role's credentials. Absent: fledge's own account and region.
   */
  readonly target?: TargetSpec;
  /** The wave run (the parent deployment) this target's deployment belongs to. */
  readonly parentId?: string;
}

/**
 * One target of a wave run as its parent records it: the child deployment, and how it ended.
 * `notStarted` is a target a failure stopped before its wave began.
 */
export interface WaveTargetRecord {
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly deploymentId: string;
  readonly status: DeploymentStatus | 'NOT_STARTED';
  /** Why it ended as it did (a rollback's reason, "never started: wave us failed"). */
  readonly reason?: string;
}

/** Lifecycle of a deployment. The record's status is the truth, whatever the execution shows. */
export type DeploymentStatus =
  | 'PENDING'
  /** Waiting for the deployment that holds its alias to end (`onConflict: enqueue | supersede`); nothing changed yet. */
  | 'QUEUED'
  | 'RUNNING'
  | 'AWAITING_APPROVAL'
  | 'SUCCEEDED'
  | 'NO_CHANGE'
  | 'ROLLED_BACK'
  | 'DRIFTED'
  | 'FAILED'
  | 'REJECTED';

/** Statuses after which nothing changes any more. */
export const TERMINAL_STATUSES: readonly DeploymentStatus[] = ['SUCCEEDED', 'NO_CHANGE', 'ROLLED_BACK', 'DRIFTED', 'FAILED', 'REJECTED'];

/** Whether a deployment in `status` is finished. */
export function isTerminal(status: DeploymentStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The routing of an alias: the version it points at, and at most one extra version with its share (0–1). */
export interface AliasRouting {
  readonly version: string;
  readonly weights: Readonly<Record<string, number>>;
}

/** An alias as read from Lambda. */
export interface AliasState extends AliasRouting {
  readonly revisionId: string;
}

/**
 * The alias before the deployment touched anything. `alias: null` means it did not exist;
 * `functionExisted: false` means fledge created the function in this deployment.
 */
export interface AliasSnapshot {
  readonly alias: AliasState | null;
  readonly functionExisted: boolean;
}

/**
 * A change fledge is about to make to the alias, written before the call (write-ahead) so a
 * retried task whose first attempt succeeded but lost its response recognises its own change.
 */
export interface AliasIntent {
  readonly target: AliasRouting | null;
  /** Revision the alias had when fledge decided to change it. */
  readonly expectedRevisionId: string | null;
  readonly description: string;
}

/** The deployment as stored: its facts, its status and the alias bookkeeping the safety net needs. */
export interface DeploymentRecord {
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly status: DeploymentStatus;
  readonly spec: DeploymentSpec;
  readonly artifact: ArtifactLocation;
  readonly startedBy: string;
  readonly source: string;
  /** Epoch ms (simulated in local mode). */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Epoch ms at which the engine started (Prepare). */
  readonly startedAt?: number;
  /** Epoch ms after which the deployment rolls back. */
  readonly deadline?: number;
  /**
   * Epoch ms by which the execution of a record a starter wrote must exist: past it, a record
   * still `PENDING` without an execution is REJECTED by the repair loop
   * (`expireStalledStart` in `shared/domain/starter/expire.ts`). Unset on older records: then
   * `createdAt` + the start grace.
   */
  readonly startDeadline?: number;
  /**
   * The record holds the place of an S3 drop that AWS failed to read or record (its spec is not
   * known yet, function and alias are `(unknown)`): a retry of the drop replaces it with the real
   * record, and past its `startDeadline` the repair loop REJECTs it, so the drop never vanishes.
   */
  readonly placeholder?: boolean;
  /**
   * The last failure of AWS that interrupted a starter's attempt to start this `PENDING`
   * deployment (it is retried, or quoted by the repair loop if the deployment never starts).
   */
  readonly startFailure?: string;
  readonly snapshot?: AliasSnapshot;
  readonly newVersion?: string;
  /** Percent of traffic on the new version as last set by fledge. */
  readonly currentWeight?: number;
  /**
   * A member of an ordered group (`group.shift: ordered`): when its walk ended and it took all its
   * traffic ahead of the group's promotion — at 100%, yet not promoting (the alarm abort still
   * rolls it back), and not recorded promoted until every member is.
   */
  readonly turnEndedAt?: number;
  /** The alias revision fledge last wrote or read; anything else is drift. */
  readonly aliasRevisionId?: string;
  readonly intent?: AliasIntent;
  /** The fledge alarm on the new version, when the spec asks for an error rate. */
  readonly alarmName?: string;
  /**
   * The provisioned concurrency the deployment gives the new version at 100% (set before the first
   * PC is put on it): whoever restores the alias (Rollback, the safety net, the alarm abort, the
   * sweeper) then removes the new version's PC too.
   */
  readonly provisionedConcurrency?: number;
  readonly promoteRequested?: { readonly by: string; readonly at: number };
  readonly stopRequested?: { readonly by: string; readonly at: number; readonly reason?: string };
  /**
   * A person asked to hold at the current weight (`fledge pause`): health checks go on (a red one
   * still rolls back) but traffic does not move and the deadline does not run out, until resumed.
   * `left`: the ms that were left before the deadline when it was paused (resuming gives them back).
   */
  readonly paused?: { readonly by: string; readonly at: number; readonly left?: number };
  /** Why it ended the way it did (rollback reason, refusal, failure). */
  readonly reason?: string;
  /** The target this deployment ran in, when it is one target of a wave run (its parent is `parentId`). */
  readonly target?: { readonly id: string; readonly accountId: string; readonly region: string };
  readonly parentId?: string;
  /** A wave run's targets, each with its deployment and how it ended (the parent record). */
  readonly waves?: readonly WaveTargetRecord[];
  /** On what evidence the new version was promoted; set by Promote. */
  readonly evidence?: PromotionEvidence;
  /** The pending approval, while AWAITING_APPROVAL. */
  readonly approvalId?: string;
  readonly executionArn?: string;
  /** Every problem of a spec a starter refused (status REJECTED), located. */
  readonly problems?: readonly SpecProblem[];
  /** Fingerprint of the request that created the record: an Idempotency-Key reused with another body is refused. */
  readonly requestFingerprint?: string;
  /**
   * Set when the alarm abort, a superseding deployment, the safety net or the sweeper takes the
   * deployment over to end it: from then on no task of its execution (one may outlive it) may
   * announce an alias change, and the execution's own rollback leaves the ending to the taker.
   */
  readonly abandonedAt?: number;
  /**
   * Why the alarm abort (or a superseding deployment) took it over: the reason of its ending,
   * whoever records it. What the execution saw after the takeover (its check refused, its rollback
   * fenced off) is a consequence, never the cause.
   */
  readonly abandonedFor?: string;
  /**
   * How the deployment ended, written together with the terminal status (the decisive fact) so
   * that whoever comes next — the task's retry, the safety net, the sweeper — can finish the side
   * effects (alarm, approval, history, notification, lock) from the record alone.
   */
  readonly ending?: RecordedEnding;
  /** Keys of the endings whose notification was sent: one notification per outcome, whoever retries. */
  readonly notified?: readonly string[];
  /** A finisher sending an ending's notification right now: the others leave it to it until the claim expires. */
  readonly notifying?: NotificationClaim;
  /** Side effects of the ending still to do (the task's retry or the sweeper does them). */
  readonly unsettled?: readonly string[];
  /** Epoch ms at which a repair found the alias of this FAILED deployment whole and left it: nothing left to repair. */
  readonly repairedAt?: number;
  /** Set on the record a `fledge rollback` leaves (an undo after success): what it moved, and who asked. */
  readonly undo?: UndoFacts;
  /**
   * A member of a function group: the id of the group's deployment (its execution). A member's
   * record holds its own alias's bookkeeping (snapshot, version, revision, lock); its ending is
   * told in the group's one notification, never on its own.
   */
  readonly groupId?: string;
  /** While QUEUED: the deployment it waits for (the holder of its alias's lock). */
  readonly queuedBehind?: string;
  /** A group's deployment: its members' records, in the spec's order. The group's record moves no alias itself. */
  readonly members?: readonly GroupMemberRef[];
  /**
   * Epoch ms the deployment ended (its terminal status was written; for a rollback, the alias was
   * back by then). Written with the status; the delivery metrics' index is keyed by it.
   */
  readonly endedAt?: number;
  /** Whether the new version served traffic through the alias before the deployment ended (written with the terminal status). */
  readonly tookTraffic?: boolean;
  /**
   * Epoch ms the failure that rolled the deployment back was detected: the red health check, the
   * alarm's change to ALARM, the stop request, or — for any other failure (a rejection, a hook, a
   * timeout) — the moment the engine caught it and began the rollback. Time to restore runs from
   * here to {@link endedAt}.
   */
  readonly failureDetectedAt?: number;
}

/**
 * What one `fledge rollback` did: the alias moved whole from one kept version to another, at a
 * person's request. Its record has status `ROLLED_BACK` once the alias is on `toVersion`.
 */
export interface UndoFacts {
  /** The version the alias served when the rollback was asked for. */
  readonly fromVersion: string;
  /** The version it serves after. */
  readonly toVersion: string;
  /** Who asked: the caller's identity as the API records it (`local` in local mode). */
  readonly requestedBy: string;
  /** The SUCCEEDED deployment whose previous version was the target, when there is one. */
  readonly undoes?: string;
  /** Why, as the caller said. */
  readonly reason?: string;
}

/** A member of a group, as its group's record names it. */
export interface GroupMemberRef {
  /** The member's record: `<group id>.m<index>`. */
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
}

/** What a group's execution carries about one member: the fields of {@link EngineState} that differ per member. */
export interface MemberState {
  readonly deploymentId: string;
  readonly snapshot?: AliasSnapshot;
  readonly aliasRevisionId?: string;
  readonly published?: { readonly version: string; readonly changed: boolean; readonly codeSha256: string };
  readonly evidence?: { readonly version: string; readonly invocations: number; readonly shortSteps: number };
  readonly checksPassed?: number;
  readonly failedChecks?: number;
}

/**
 * A lease on sending the notification of one ending (its event key), taken atomically with "not
 * sent yet" by whoever settles the ending (a task, its retry, the safety net, the sweeper), so two
 * finishers at once never both send it. It expires, so a claimant that died before it could send
 * or mark does not suppress the notification: the next finisher takes it over.
 */
export interface NotificationClaim {
  /** The ending's event key (`outcome`, `<repairer>-repair`). */
  readonly key: string;
  /** Who holds it: one id per settling attempt. */
  readonly claimant: string;
  /** Epoch ms the lease ends; past it anyone may take it over. */
  readonly until: number;
}

/** The ending of a deployment as recorded with its terminal status. */
export interface RecordedEnding {
  /** History key of the ending's event: `outcome`, or `<repairer>-repair` for the repair of a FAILED deployment. */
  readonly eventKey: string;
  readonly eventKind: DeploymentEventKind;
  readonly message: string;
  /** Epoch ms the ending was decided. */
  readonly at: number;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly notification?: DeploymentNotification;
  /** The alias was left split: the lock stays until it is repaired. */
  readonly keepLock?: boolean;
}

/** Kinds of history events. */
export type DeploymentEventKind =
  | 'started'
  | 'published'
  | 'noChange'
  | 'verified'
  | 'weight'
  | 'check'
  | 'approvalRequested'
  | 'approvalGiven'
  | 'approvalRejected'
  | 'promoteRequested'
  | 'stopRequested'
  | 'paused'
  | 'resumed'
  | 'promoted'
  | 'rolledBack'
  | 'drifted'
  | 'failed'
  | 'rejected'
  | 'cleanup'
  | 'repaired'
  | 'webhook'
  /** An event did not reach one of its channels (docs/events.md#when-a-channel-fails): visible, never fatal. */
  | 'notificationFailed'
  /** The caller audit found callers that bypass the alias (`callers: warn`). */
  | 'callers'
  | 'provisionedConcurrency'

  | 'queued'
  | 'superseded';

/** One entry of a deployment's history. `key` is deterministic so a retried append is a no-op. */
export interface DeploymentEvent {
  readonly deploymentId: string;
  readonly key: string;
  readonly kind: DeploymentEventKind;
  /** Epoch ms. */
  readonly at: number;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An approval waiting for a decision. The task token never leaves the store. */
export interface ApprovalRecord {
  readonly approvalId: string;
  readonly deploymentId: string;
  readonly taskToken: string;
  readonly status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';
  readonly requestedAt: number;
  /** Epoch ms after which the task has timed out. */
  readonly expiresAt: number;
  readonly message?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: number;
  readonly comment?: string;
}

/** The per-alias lock. */
export interface AliasLock {
  readonly functionName: string;
  readonly alias: string;
  readonly holder: string;
  /** Epoch ms after which anyone may take it over. */
  readonly expiresAt: number;
}

/** What a task returns when the engine decides where to go next (the `Route` / `AfterCheck` choices). */
export type NextAction = 'bake' | 'approval' | 'promote' | 'next' | 'warm';

/**
 * The provisioned concurrency a deployment manages (docs/engine.md#provisioned-concurrency):
 * `total` is what the new version gets at 100% (0: fledge manages none); `onAlias` the PC the
 * alias holds itself (Lambda's own split, watched but not managed); `waitingSince` when fledge
 * began waiting for the allocation the next weight needs; `nextPollAt` when the WarmUp state
 * wakes; `promote` that the wait is for a promotion (promote-now), not for the next step.
 */
export interface ProvisionedPlan {
  readonly total: number;
  readonly onAlias?: number;
  readonly waitingSince?: number;
  readonly nextPollAt?: string;
  readonly promote?: boolean;
}

/** The bake in progress: absolute times so Lambda latency does not accumulate over checks. */
export interface BakeState {
  /** Epoch ms the bake started. */
  readonly startedAt: number;
  /** Epoch ms the bake ends. */
  readonly until: number;
  readonly checkInterval: number;
  /** ISO time of the next check: the Wait state's TimestampPath. */
  readonly nextCheckAt: string;
  /** Checks done in this bake. */
  readonly checks: number;
  /** Epoch ms the pause was to end before it was extended for want of evidence; set by the first extension. */
  readonly plannedUntil?: number;
  /** Epoch ms beyond which the bake is not extended (the planned end plus the extension it may take); set by the first extension. */
  readonly extensionLimit?: number;
  /** Conclusive successful checks in a row in this pause (`health.consecutiveSuccesses`); absent: none yet. */
  readonly streak?: number;
  /** The spec's final bake: all traffic is on the new version, which is watched before it SUCCEEDS. */
  readonly final?: true;
}

/**
 * What fledge saw of the new version before promoting it: its invocations through the alias,
 * counted by the health checks (so "promoted" always says on how much evidence).
 */
export interface PromotionEvidence {
  readonly version: string;
  /** Invocations of the new version through the alias from the first weight to the last check. */
  readonly invocations: number;
  /** What each pause needed (`health.minInvocations`). */
  readonly minInvocations: number;
  /** Health checks made; 0 when the strategy has no pause (allAtOnce, blueGreen, a first deployment). */
  readonly checks: number;
  /** Pauses that moved on with fewer invocations because a person said so (an approval, promote-now); fledge itself never does. */
  readonly shortSteps: number;
}

/**
 * The JSON that flows through the state machine: the execution input plus what the tasks
 * learned. Each task returns the whole state (the ASL selects `$.Payload`).
 */
export interface EngineState extends ExecutionInput {
  /** Epoch ms; set by Prepare. */
  readonly startedAt?: number;
  readonly deadline?: number;
  /**
   * The alias before the deployment (Prepare): it travels with the execution so Rollback can
   * restore the alias from the state alone when the deployments table does not answer.
   */
  readonly snapshot?: AliasSnapshot;
  /** The alias revision fledge last wrote or read (Prepare, NextStep, Promote): fledge's own state. */
  readonly aliasRevisionId?: string;
  /** Side effects of the ending that were left to the sweeper (a promotion is never undone for them). */
  readonly warnings?: readonly string[];
  readonly trafficSteps?: readonly TrafficStep[];
  /** Index of the next traffic step to walk. */
  readonly stepIndex?: number;
  readonly weight?: number;
  readonly published?: { readonly version: string; readonly changed: boolean; readonly codeSha256: string };
  readonly action?: NextAction;
  readonly bake?: BakeState;
  readonly approval?: { readonly timeoutSeconds: number; readonly stepIndex: number; readonly message?: string };
  /** Green health checks so far (approval requests report it). */
  readonly checksPassed?: number;
  /** Failed health checks tolerated so far (`health.failureLimit`). */
  readonly failedChecks?: number;
  /** The new version's invocations seen by the last check, and the pauses that moved on short of evidence. */
  readonly evidence?: { readonly version: string; readonly invocations: number; readonly shortSteps: number };
  /** The provisioned concurrency the deployment manages; decided before the first weight moves. */
  readonly provisioned?: ProvisionedPlan;
  /**
   * The spec's `finalBake`: `baking` once Promote moved all traffic and started it, `done` once its
   * last check was green; the next Promote then only records the success. Absent: not reached (or none).
   */
  readonly finalBake?: 'baking' | 'done';
  /** Set by a Catch (`ResultPath: $.failure`). */
  readonly failure?: { readonly Error?: string; readonly Cause?: string };
  /** Set by Rollback's Catch: why the rollback itself failed. */
  readonly rollbackFailure?: { readonly Error?: string; readonly Cause?: string };
  /** A group's execution: each member's own part of the state, in the spec's order (set by Prepare). */
  readonly members?: readonly MemberState[];
  /**
   * An ordered group's execution (`group.shift: ordered`): the index of the member whose turn it
   * is to shift. Members before it are at 100%, members after it at 0%; `stepIndex` counts across
   * the members' walks (member i's walk starts at i × the walk's length), so event keys and
   * approval ids stay unique.
   */
  readonly turn?: number;
}

/** `on 57 invocations (10 required per pause)`: how much evidence a promotion rested on, for people. */
export function describeEvidence(evidence: PromotionEvidence): string {
  return `${invocationsOf(evidence)} ${detailOf(evidence)}`;
}

/** `promoted on 57 invocations of version 2 (10 required per pause)`. */
export function describePromotion(evidence: PromotionEvidence): string {
  return `promoted ${invocationsOf(evidence)} of version ${evidence.version} ${detailOf(evidence)}`;
}

function invocationsOf(evidence: PromotionEvidence): string {
  return `on ${evidence.invocations} invocation${evidence.invocations === 1 ? '' : 's'}`;
}

function detailOf(evidence: PromotionEvidence): string {
  if (evidence.checks === 0) return '(no health check watched it: no pause before all traffic moved)';
  const short = evidence.shortSteps > 0 ? `; ${evidence.shortSteps} pause${evidence.shortSteps === 1 ? '' : 's'} moved on short of evidence because a person said so` : '';
  return `(${evidence.minInvocations > 0 ? `${evidence.minInvocations} required per pause` : 'none required'}${short})`;
}
