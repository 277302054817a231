import type { Clock } from '../../ports/clock';
import type { DeploymentStore } from '../../ports/deployment-store';
import type { Notifier } from '../../ports/notifier';
import type { Orchestrator } from '../../ports/orchestrator';
import { AwsCallFailedError, TransientAwsError } from '../../model/engine-errors';
import { requireSettled, settle, type Finished } from '../deployment/finish';
import type { ArtifactLocation, DeploymentRecord, ExecutionInput } from '../../model/deployment';
import type { DeploymentSpec } from '../../model/spec';
import { LIMITS } from '../../model/spec-limits';
import type { Home } from '../spec/names';
import { parseDeploymentSpec } from '../spec/parse';
import type { SpecProblem } from '../../model/spec';
import type { ArtifactInspector } from '../../ports/artifact-inspector';
import { checkArtifact } from './artifacts';
import { ExecutionRefusedError, StartInterruptedError } from '../../model/starter-errors';
import { expireStalledStart, START_GRACE_MS, startDeadlineOf } from './expire';
import { refusedSpec } from './refused';
import { completeRejection, rejectionEnding, rejectPending, type Rejection } from './reject';

/** Step Functions' limit on an execution's input: the JSON's size in UTF-8 bytes. */
export const MAX_EXECUTION_INPUT_BYTES = 256 * 1024;
/**
 * Problems kept when a spec is refused (answered, and recorded on a REJECTED record): a hostile
 * spec can have tens of thousands, more than a response or a DynamoDB item holds. The last one
 * kept says how many were left out. Each message and path is cut to a bounded length too, as
 * they may quote the spec.
 */
const MAX_PROBLEM_CHARS = 500;

/** The ports a starter uses. */
export interface StarterDeps {
  readonly store: DeploymentStore;
  /** Step Functions' deployment state machine: where an ordinary deployment runs. */
  readonly orchestrator: Orchestrator;
  /**
   * Step Functions' wave runner (state-machines/waves.asl.yml): where a spec with `targets` runs,
   * one execution per wave run that starts one deployment per target (docs/engine.md, "Waves").
   */
  readonly waveRunner: Pick<Orchestrator, 'startExecution' | 'findExecution'>;
  readonly notifier: Notifier;
  readonly clock: Clock;
  /** Checks the artifact before starting; without it, Lambda finds a bad artifact at Publish. */
  readonly artifacts?: ArtifactInspector;
  /** Region of the control plane: artifacts elsewhere are refused. */
  readonly region?: string;
  /**
   * Where fledge runs (partition, region, account): a spec naming its function or a hook by the
   * ARN of anywhere else is refused, never mapped onto the same-named function here.
   */
  readonly home: Home;
}

/** A request to start a deployment, from whichever door it came through. */
export interface StartRequest {
  /** Deterministic for retries (object identity, Idempotency-Key) or fresh. */
  readonly deploymentId: string;
  readonly specText: string | Uint8Array;
  /** Where the spec came from, echoed in problems: `s3://bucket/key`, `request body`. */
  readonly specSource: string;
  /** Resolves the spec's artifact: relative zips against the spec's folder, or an explicit override. */
  readonly resolveArtifact: (spec: DeploymentSpec) => ArtifactLocation | { readonly problem: string };
  readonly startedBy: string;
  /** `s3`, `api`, `cli`, `local`. */
  readonly source: string;
  /** Identifies the request's meaning: the same id with another fingerprint is a conflict. */
  readonly fingerprint?: string;
  /**
   * Invalid specs and artifacts become a REJECTED record with a notification (the S3 drop, where
   * nobody waits for an answer); when false they are only returned (the API answers 422), and
   * nothing is recorded. Either way a deployment that was recorded and then refused (by Step
   * Functions, or past its start deadline) ends REJECTED with one notification. When true, a
   * rejection whose notification or history write failed also fails the start (transient), so
   * that the door's own retry (S3's) completes it; otherwise the answer is given and the ending's
   * settling mark leaves the rest to the sweeper.
   */
  readonly recordRefusals: boolean;
  /** The field an artifact problem is reported at: `artifact.zip` (the spec's, the default) or `artifact` (an API override). */
  readonly artifactPath?: string;
  /**
   * A spec validated before (the recorded spec of a deployment retried with `POST
   * /deployments/{id}/retry`): used as it is instead of parsing `specText`.
   */
  readonly spec?: DeploymentSpec;
  /** Refuse without reading the spec (it could not be read at all, e.g. too large). */
  readonly refuseWith?: readonly SpecProblem[];
  /**
   * A retry of this request arrives under the same deployment id (an S3 event, which S3 delivers
   * again; an API request with an Idempotency-Key): a start AWS interrupted is left `PENDING` for
   * the retry to resume. When false (a fresh id), nobody can resume it, so it is settled at once.
   */
  readonly resumable: boolean;
}

/** The outcome of a start. */
export type StartOutcome =
  | { readonly kind: 'started'; readonly record: DeploymentRecord; readonly executionArn: string; /** The id existed: a retry or a duplicate event. */ readonly duplicate: boolean }
  | { readonly kind: 'refused'; readonly problems: readonly SpecProblem[]; /** Present when `recordRefusals`. */ readonly record?: DeploymentRecord; readonly duplicate: boolean }
  | { readonly kind: 'conflict'; readonly record: DeploymentRecord }
  /**
   * The deployment ended REJECTED without starting, for a reason other than its spec (the
   * record's `reason`): Step Functions refused fledge's call for good (access denied, no state
   * machine), or the start stalled past its deadline. `duplicate` when it had ended before.
   */
  | { readonly kind: 'ended'; readonly record: DeploymentRecord; readonly duplicate: boolean };

/**
 * The state machine that runs `record`'s deployment: the wave runner for a spec with targets (a
 * wave run), the deployment state machine otherwise. Every start, and every question whether a
 * start happened, goes to it: a wave run's execution is never looked for among deployments'.
 */
export function executionsOf(deps: Pick<StarterDeps, 'orchestrator' | 'waveRunner'>, spec: Pick<DeploymentSpec, 'targets'>): Pick<Orchestrator, 'startExecution' | 'findExecution'> {
  return spec.targets !== undefined && spec.targets.length > 0 ? deps.waveRunner : deps.orchestrator;
}

/**
 * Starts a deployment from spec text: validates it (and its artifact), then creates the PENDING
 * record (with a start deadline) and starts the execution named by the deployment id. Every step
 * is idempotent: a repeated request with the same id finds the record, and starting the execution
 * again returns the existing one. A refused spec changes nothing but its own REJECTED record
 * (when asked).
 *
 * When AWS fails transiently the start throws {@link StartInterruptedError}, saying whether an
 * execution may exist; nothing is left that a retry would refuse, and a record left `PENDING`
 * either resumes on a retry or is REJECTED once its start deadline has passed
 * ({@link expireStalledStart}). When Step Functions refuses the call for good, the record ends
 * REJECTED with the reason (`ended`).
 */
export async function startDeployment(deps: StarterDeps, request: StartRequest): Promise<StartOutcome> {
  try {
    return await start(deps, request);
  } catch (error) {
    // StartExecution's own failures are classified in launch(); any other transient one came before it.
    if (error instanceof TransientAwsError) throw new StartInterruptedError(`deployment ${request.deploymentId} was not started: ${error.message}`, request.deploymentId, 'no', { cause: error });
    throw error;
  }
}

async function start(deps: StarterDeps, request: StartRequest): Promise<StartOutcome> {
  const existing = await deps.store.getDeployment(request.deploymentId);
  // A placeholder of a drop (s3-drop.ts) is replaced by the real record while its deadline lasts.
  if (existing && (!existing.placeholder || deps.clock.now() >= startDeadlineOf(existing))) return resume(deps, request, existing);
  if (request.refuseWith) return refuse(deps, request, request.refuseWith, undefined);

  const parsed = request.spec ? { ok: true as const, spec: request.spec } : parseDeploymentSpec(request.specText, request.specSource, { home: deps.home });
  if (!parsed.ok) return refuse(deps, request, parsed.problems, undefined);
  const artifact = request.resolveArtifact(parsed.spec);
  const artifactPath = request.artifactPath ?? 'artifact.zip';
  if ('problem' in artifact) return refuse(deps, request, [{ path: artifactPath, message: artifact.problem, line: 0, column: 0 }], parsed.spec);
  if (deps.artifacts) {
    const problems = await checkArtifact(deps.artifacts, artifact, deps.region, artifactPath);
    if (problems.length > 0) return refuse(deps, request, problems.map((p) => ({ ...p, line: 0, column: 0 })), parsed.spec);
  }
  // Checked before anything is recorded: Step Functions would refuse it only after the record exists.
  const inputBytes = Buffer.byteLength(JSON.stringify(executionInput({ deploymentId: request.deploymentId, spec: parsed.spec, artifact, startedBy: request.startedBy, source: request.source })), 'utf8');
  if (inputBytes > MAX_EXECUTION_INPUT_BYTES) {
    const message = `the spec makes an execution input of ${inputBytes} bytes; Step Functions takes at most ${MAX_EXECUTION_INPUT_BYTES} bytes (256 KiB): shorten its text (messages, environment, descriptions)`;
    // Not recorded with the spec itself: that would be as large (a placeholder names the function).
    return refuse(deps, request, [{ path: '', message, line: 0, column: 0 }], undefined);
  }

  const now = deps.clock.now();
  const record = await deps.store.createDeployment(
    {
      deploymentId: request.deploymentId,
      functionName: parsed.spec.function.name,
      alias: parsed.spec.alias,
      status: 'PENDING',
      spec: parsed.spec,
      artifact,
      startedBy: request.startedBy,
      source: request.source,
      createdAt: now,
      updatedAt: now,
      startDeadline: now + START_GRACE_MS,
      ...(request.fingerprint ? { requestFingerprint: request.fingerprint } : {}),
    },
    { replacePlaceholder: true },
  );
  // A concurrent twin may have created it first: the same rules as for a retry apply.
  if (record.createdAt !== now || record.requestFingerprint !== request.fingerprint) return resume(deps, request, record);
  return launch(deps, request, record, false);
}

async function resume(deps: StarterDeps, request: StartRequest, existing: DeploymentRecord): Promise<StartOutcome> {
  if (request.fingerprint !== undefined && existing.requestFingerprint !== request.fingerprint) return { kind: 'conflict', record: existing };
  if (existing.executionArn) return { kind: 'started', record: existing, executionArn: existing.executionArn, duplicate: true };
  if (existing.status === 'REJECTED') return rejectedBefore(deps, request, existing);
  if (existing.status === 'PENDING' && deps.clock.now() >= startDeadlineOf(existing)) {
    // Too late to start: a deployment starts within its grace or not at all (the repair loop's contract).
    const stalled = await expireStalledStart({ ...deps, orchestrator: executionsOf(deps, existing.spec) }, existing);
    if (stalled.kind === 'started') return { kind: 'started', record: stalled.record, executionArn: stalled.executionArn, duplicate: true };
    if (stalled.kind === 'expired') return { kind: 'ended', record: stalled.record, duplicate: true };
    return resume(deps, request, stalled.record);
  }
  // The first attempt created the record but may not have started the execution.
  return launch(deps, request, existing, true);
}

/** A retry finds the deployment REJECTED: completes its ending if a failure cut it short (never notifying twice), and answers as the first attempt did. */
async function rejectedBefore(deps: StarterDeps, request: StartRequest, existing: DeploymentRecord): Promise<StartOutcome> {
  leftToRetry(request, existing.deploymentId, await completeRejection(deps, existing));
  if (existing.problems) return { kind: 'refused', problems: existing.problems, record: existing, duplicate: true };
  // REJECTED by the engine (its execution exists, the ARN was not recorded) or by the starter.
  const execution = await executionsOf(deps, existing.spec).findExecution(existing.deploymentId);
  if (execution) return { kind: 'started', record: existing, executionArn: execution.executionArn, duplicate: true };
  return { kind: 'ended', record: existing, duplicate: true };
}

function executionInput(record: Pick<DeploymentRecord, 'deploymentId' | 'spec' | 'artifact' | 'startedBy' | 'source'>): ExecutionInput {
  return { deploymentId: record.deploymentId, spec: record.spec, artifact: record.artifact, startedBy: record.startedBy, source: record.source };
}

async function launch(deps: StarterDeps, request: StartRequest, record: DeploymentRecord, duplicate: boolean): Promise<StartOutcome> {
  let started: { executionArn: string; alreadyStarted: boolean };
  try {
    // A spec with targets is a wave run: the wave runner starts one deployment per target.
    started = await executionsOf(deps, record.spec).startExecution({ name: record.deploymentId, input: executionInput(record) });
  } catch (error) {
    if (error instanceof ExecutionRefusedError) {
      const problems = [{ path: '', message: `${error.message}; nothing was started`, line: 0, column: 0 }];
      return rejectRecorded(deps, request, record, { reason: reasonOf(request, problems), how: REFUSED, problems });
    }
    if (error instanceof TransientAwsError) return interrupted(deps, request, record, error);
    // Not throttling, not a 5xx: access denied, no such state machine. Retries cannot help.
    if (error instanceof AwsCallFailedError) return rejectRecorded(deps, request, record, { reason: `${request.specSource}: Step Functions would not start the execution (${error.message}); nothing was started`, how: REFUSED });
    throw error;
  }
  return recordStarted(deps, record, started.executionArn, duplicate || started.alreadyStarted);
}

/**
 * Records the execution's ARN. The execution runs whether this write succeeds or not, so a
 * transient failure of it is not the caller's: the ARN follows from the name, and Prepare moves
 * the record on.
 */
async function recordStarted(deps: StarterDeps, record: DeploymentRecord, executionArn: string, duplicate: boolean): Promise<StartOutcome> {
  let updated = record;
  try {
    updated = (await deps.store.updateDeployment(record.deploymentId, { executionArn, ...(record.startFailure ? { startFailure: null } : {}) })) ?? record;
  } catch (error) {
    if (!(error instanceof TransientAwsError)) throw error;
  }
  return { kind: 'started', record: updated, executionArn, duplicate };
}

/**
 * StartExecution failed transiently: the execution may or may not exist. A resumable request
 * leaves the record `PENDING` (noting the failure for the repair loop's reason) for its retry.
 * Otherwise Step Functions is asked at once: an execution that exists is the answer; if there is
 * none, the record is REJECTED so that nothing is left waiting, and a new request is right.
 */
async function interrupted(deps: StarterDeps, request: StartRequest, record: DeploymentRecord, failure: TransientAwsError): Promise<StartOutcome> {
  const id = record.deploymentId;
  if (!request.resumable) {
    let execution: { executionArn: string } | undefined;
    try {
      execution = await executionsOf(deps, record.spec).findExecution(id);
    } catch {
      await noteFailure(deps, record, failure);
      throw new StartInterruptedError(`deployment ${id} may not have started: ${failure.message}`, id, 'unknown', { cause: failure });
    }
    if (execution) return recordStarted(deps, record, execution.executionArn, false);
    const outcome = await rejectRecorded(deps, request, record, { reason: `${request.specSource}: Step Functions failed while the deployment was started (${failure.message}); nothing was started`, how: REFUSED });
    if (outcome.kind === 'started') return outcome;
    throw new StartInterruptedError(`deployment ${id} was not started: ${failure.message}`, id, 'no', { cause: failure });
  }
  await noteFailure(deps, record, failure);
  throw new StartInterruptedError(`deployment ${id} may not have started: ${failure.message}`, id, 'unknown', { cause: failure });
}

/** Best effort, during an outage: what the `PENDING` record shows, and the repair loop quotes if it never starts. */
async function noteFailure(deps: StarterDeps, record: DeploymentRecord, failure: Error): Promise<void> {
  try {
    await deps.store.updateDeployment(record.deploymentId, { startFailure: failure.message }, { onlyIfStatusIn: ['PENDING'] });
  } catch {
    // The store failing too changes nothing: the record keeps its start deadline.
  }
}

/** The history event's words for a deployment the starter refused. */
const REFUSED = 'refused before anything changed';

/**
 * A recorded deployment that can never start (Step Functions refused its input, or refused
 * fledge's call for good): the PENDING record becomes REJECTED with the reason (it would
 * otherwise wait forever for an execution that cannot start), and one `rejected` notification
 * and event, whichever door the request came through; a retry of it finds the refusal and sends
 * nothing again.
 */
async function rejectRecorded(deps: StarterDeps, request: StartRequest, record: DeploymentRecord, rejection: Rejection): Promise<StartOutcome> {
  const rejected = await rejectPending(deps, record, rejection);
  if (!rejected) {
    // Moved on meanwhile (a concurrent twin): report it as it stands.
    const current = (await deps.store.getDeployment(record.deploymentId)) ?? record;
    if (current.executionArn) return { kind: 'started', record: current, executionArn: current.executionArn, duplicate: true };
    if (current.status !== 'REJECTED') {
      // Only the engine moves a record on from PENDING: its execution exists.
      const execution = await executionsOf(deps, current.spec).findExecution(current.deploymentId);
      if (!execution) throw new StartInterruptedError(`deployment ${current.deploymentId} is ${current.status} without an execution`, current.deploymentId, 'unknown');
      return { kind: 'started', record: current, executionArn: execution.executionArn, duplicate: true };
    }
    return current.problems ? { kind: 'refused', problems: current.problems, record: current, duplicate: true } : { kind: 'ended', record: current, duplicate: true };
  }
  leftToRetry(request, record.deploymentId, rejected.finished);
  const { problems } = rejection;
  return problems ? { kind: 'refused', problems, record: rejected.record, duplicate: false } : { kind: 'ended', record: rejected.record, duplicate: false };
}

/**
 * A rejection whose notification, history event or lock release failed (see `requireSettled`):
 * a door whose own retry comes back (the drop: S3 delivers the event again) fails for that retry
 * to complete it; the API answers the refusal it has, and the sweeper, listing the ending's
 * settling mark, does the rest.
 */
function leftToRetry(request: StartRequest, deploymentId: string, finished: Finished | undefined): void {
  if (finished && request.recordRefusals) requireSettled(deploymentId, finished);
}

function reasonOf(request: StartRequest, problems: readonly SpecProblem[]): string {
  return `${request.specSource}: ${problems.map((p) => `${p.line > 0 ? `${p.line}:${p.column} ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ')}`;
}

/**
 * At most `LIMITS.maxProblems` problems and one more saying how many were left out, each of bounded
 * length — the spec reader's own bound, kept here for problems from elsewhere (artifact checks, the
 * execution's refusal).
 */
function capped(problems: readonly SpecProblem[]): readonly SpecProblem[] {
  const cut = (text: string) => (text.length > MAX_PROBLEM_CHARS ? `${text.slice(0, MAX_PROBLEM_CHARS)}…` : text);
  const bounded = problems.map((p) => (p.message.length > MAX_PROBLEM_CHARS || p.path.length > MAX_PROBLEM_CHARS ? { ...p, path: cut(p.path), message: cut(p.message) } : p));
  if (bounded.length <= LIMITS.maxProblems + 1) return bounded;
  const more = bounded.length - LIMITS.maxProblems;
  return [...bounded.slice(0, LIMITS.maxProblems), { path: '', message: `and ${more} more problems from here on (the first ${LIMITS.maxProblems} are listed)`, line: 0, column: 0 }];
}

async function refuse(deps: StarterDeps, request: StartRequest, all: readonly SpecProblem[], spec: DeploymentSpec | undefined): Promise<StartOutcome> {
  const problems = capped(all);
  if (!request.recordRefusals) return { kind: 'refused', problems, duplicate: false };
  const now = deps.clock.now();
  const placeholder = spec ?? refusedSpec(request.specText);
  const rejection: Rejection = { reason: reasonOf(request, problems), how: REFUSED, problems };
  const facts = { deploymentId: request.deploymentId, functionName: placeholder.function.name, alias: placeholder.alias, startedBy: request.startedBy };
  const record = await deps.store.createDeployment({
    ...facts,
    status: 'REJECTED',
    spec: placeholder,
    artifact: { bucket: '', key: '' },
    source: request.source,
    createdAt: now,
    updatedAt: now,
    reason: rejection.reason,
    problems,
    ending: rejectionEnding(facts, rejection, now),
    ...(request.fingerprint ? { requestFingerprint: request.fingerprint } : {}),
  }, { replacePlaceholder: true });
  // Found instead: a twin's record (answered as a retry would be), never ours to announce.
  if (record.createdAt !== now) return resume(deps, request, record);
  leftToRetry(request, record.deploymentId, await settle(deps, record));
  return { kind: 'refused', problems, record, duplicate: false };
}
