import type { Clock } from '../../ports/clock';
import type { DeploymentStore } from '../../ports/deployment-store';
import type { Notifier } from '../../ports/notifier';
import type { Orchestrator } from '../../ports/orchestrator';
import { event, eventKeys } from '../deployment/events';
import type { ArtifactLocation, DeploymentRecord, ExecutionInput } from '../deployment/model';
import type { DeploymentSpec } from '../spec/model';
import { LIMITS } from '../spec/limits';
import type { Home } from '../spec/names';
import { parseDeploymentSpec } from '../spec/parse';
import type { SpecProblem } from '../spec/problems';
import { checkArtifact, type ArtifactInspector } from './artifacts';
import { ExecutionRefusedError } from './errors';
import { refusedSpec } from './refused';

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
  readonly orchestrator: Orchestrator;
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
   * nobody waits for an answer); when false they are only returned (the API answers 422).
   */
  readonly recordRefusals: boolean;
  /** The field an artifact problem is reported at: `artifact.zip` (the spec's, the default) or `artifact` (an API override). */
  readonly artifactPath?: string;
  /** Refuse without reading the spec (it could not be read at all, e.g. too large). */
  readonly refuseWith?: readonly SpecProblem[];
}

/** The outcome of a start. */
export type StartOutcome =
  | { readonly kind: 'started'; readonly record: DeploymentRecord; readonly executionArn: string; /** The id existed: a retry or a duplicate event. */ readonly duplicate: boolean }
  | { readonly kind: 'refused'; readonly problems: readonly SpecProblem[]; /** Present when `recordRefusals`. */ readonly record?: DeploymentRecord; readonly duplicate: boolean }
  | { readonly kind: 'conflict'; readonly record: DeploymentRecord };

/**
 * Starts a deployment from spec text: validates it (and its artifact), then creates the PENDING
 * record and starts the execution named by the deployment id. Every step is idempotent: a
 * repeated request with the same id finds the record, and starting the execution again returns
 * the existing one. A refused spec changes nothing but its own REJECTED record (when asked).
 */
export async function startDeployment(deps: StarterDeps, request: StartRequest): Promise<StartOutcome> {
  const existing = await deps.store.getDeployment(request.deploymentId);
  if (existing) return resume(deps, request, existing);
  if (request.refuseWith) return refuse(deps, request, request.refuseWith, undefined);

  const parsed = parseDeploymentSpec(request.specText, request.specSource, { home: deps.home });
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
  const record = await deps.store.createDeployment({
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
    ...(request.fingerprint ? { requestFingerprint: request.fingerprint } : {}),
  });
  // A concurrent twin may have created it first: the same rules as for a retry apply.
  if (record.createdAt !== now || record.requestFingerprint !== request.fingerprint) return resume(deps, request, record);
  return launch(deps, request, record, false);
}

async function resume(deps: StarterDeps, request: StartRequest, existing: DeploymentRecord): Promise<StartOutcome> {
  if (request.fingerprint !== undefined && existing.requestFingerprint !== request.fingerprint) return { kind: 'conflict', record: existing };
  if (existing.status === 'REJECTED' && existing.problems) return { kind: 'refused', problems: existing.problems, record: existing, duplicate: true };
  if (existing.executionArn) return { kind: 'started', record: existing, executionArn: existing.executionArn, duplicate: true };
  // The first attempt created the record but may not have started the execution.
  return launch(deps, request, existing, true);
}

function executionInput(record: Pick<DeploymentRecord, 'deploymentId' | 'spec' | 'artifact' | 'startedBy' | 'source'>): ExecutionInput {
  return { deploymentId: record.deploymentId, spec: record.spec, artifact: record.artifact, startedBy: record.startedBy, source: record.source };
}

async function launch(deps: StarterDeps, request: StartRequest, record: DeploymentRecord, duplicate: boolean): Promise<StartOutcome> {
  let started: { executionArn: string; alreadyStarted: boolean };
  try {
    started = await deps.orchestrator.startExecution({ name: record.deploymentId, input: executionInput(record) });
  } catch (error) {
    if (!(error instanceof ExecutionRefusedError)) throw error;
    return rejectRecorded(deps, request, record, [{ path: '', message: `${error.message}; nothing was started`, line: 0, column: 0 }]);
  }
  const { executionArn, alreadyStarted } = started;
  const updated = (await deps.store.updateDeployment(record.deploymentId, { executionArn })) ?? record;
  return { kind: 'started', record: updated, executionArn, duplicate: duplicate || alreadyStarted };
}

/**
 * A recorded deployment whose execution Step Functions refused: the PENDING record becomes
 * REJECTED with the problem (it would otherwise wait forever for an execution that cannot
 * start), whichever door the request came through; a retry of it finds the refusal.
 */
async function rejectRecorded(deps: StarterDeps, request: StartRequest, record: DeploymentRecord, problems: readonly SpecProblem[]): Promise<StartOutcome> {
  const reason = reasonOf(request, problems);
  const updated = await deps.store.updateDeployment(record.deploymentId, { status: 'REJECTED', reason, problems }, { onlyIfStatusIn: ['PENDING'] });
  if (!updated) {
    // Moved on meanwhile (a concurrent twin): report it as it stands.
    const current = (await deps.store.getDeployment(record.deploymentId)) ?? record;
    if (current.executionArn) return { kind: 'started', record: current, executionArn: current.executionArn, duplicate: true };
    return { kind: 'refused', problems: current.problems ?? problems, record: current, duplicate: true };
  }
  await announceRefusal(deps, request, updated, reason, problems, deps.clock.now());
  return { kind: 'refused', problems, record: updated, duplicate: false };
}

function reasonOf(request: StartRequest, problems: readonly SpecProblem[]): string {
  return `${request.specSource}: ${problems.map((p) => `${p.line > 0 ? `${p.line}:${p.column} ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`).join('; ')}`;
}

async function announceRefusal(deps: StarterDeps, request: StartRequest, record: DeploymentRecord, reason: string, problems: readonly SpecProblem[], at: number): Promise<void> {
  await deps.store.appendEvent(event(record.deploymentId, eventKeys.outcome(), 'rejected', at, `refused before anything changed: ${reason}`, { status: 'REJECTED', problems }));
  // Who asked through the API has the answer already; a drop has nobody waiting for it.
  if (request.recordRefusals) await deps.notifier.notify({ kind: 'rejected', deploymentId: record.deploymentId, functionName: record.functionName, alias: record.alias, startedBy: record.startedBy, reason });
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
  const reason = reasonOf(request, problems);
  const record = await deps.store.createDeployment({
    deploymentId: request.deploymentId,
    functionName: placeholder.function.name,
    alias: placeholder.alias,
    status: 'REJECTED',
    spec: placeholder,
    artifact: { bucket: '', key: '' },
    startedBy: request.startedBy,
    source: request.source,
    createdAt: now,
    updatedAt: now,
    reason,
    problems,
    ...(request.fingerprint ? { requestFingerprint: request.fingerprint } : {}),
  });
  if (record.createdAt !== now) return { kind: 'refused', problems: record.problems ?? problems, record, duplicate: true };
  await announceRefusal(deps, request, record, reason, problems, now);
  return { kind: 'refused', problems, record, duplicate: false };
}
