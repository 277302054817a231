import type { VersionTraffic } from '../../../ports/version-traffic';
import type { LambdaRegistry } from '../../../ports/lambda-registry';
import { parseApiDecisionBody } from '../approval/input';
import { decideApproval } from '../../../domain/deployment/approval';
import { requestPromote, requestStop } from '../../../domain/deployment/controls';
import { undoDeployment } from '../../../domain/deployment/undo';
import { requestPause, requestResume } from '../../../domain/deployment/pause';
import { adoptedArtifact, type ArtifactLocation } from '../../../model/deployment';
import type { DeploymentSpec } from '../../../model/spec';
import { StartInterruptedError } from '../../../model/starter-errors';
import { START_GRACE_MS } from '../../../domain/starter/expire';
import { deploymentIdForIdempotencyKey, newDeploymentId, requestFingerprint } from '../../../domain/starter/ids';
import { startDeployment, type StartOutcome, type StartRequest, type StarterDeps } from '../../../domain/starter/start';
import type { CursorSigner } from './cursor';
import { BadRequestError, ConflictError, InvalidInputError, MethodNotAllowedError, ResourceNotFoundError, ServiceUnavailableError, StartFailedError, UnprocessableError, type InputProblem } from '../errors';
import { json, repeatedQueryNames, type HttpRequest, type HttpResponse } from '../http';
import { aliasProblem, checkIdempotencyKey, deploymentIdProblem, functionNameProblem, quote, refuseProblems, refuseUnknownFields, textProblem, versionNumberProblem } from './inputs';
import { parseJsonBody } from '../json-body';
import { parseListQuery } from './list-query';
import { parseMetricsQuery } from './metrics-query';
import { deliveryMetrics } from '../../../domain/stats/delivery';
import { metricsView } from './metrics-view';
import { versionTraffic } from './version-traffic';
import { parseStartBody } from './start-body';
import { detailOf, summaryOf } from './views';
import { memberRecords } from '../../../domain/deployment/group-members';
import { waveRunView, waveTargetRecords } from '../../../domain/deployment/wave-targets';
import { timelineOf } from '../../../domain/deployment/timeline';

/** The ports the management API uses. */
export interface ApiDeps extends StarterDeps {
  /** The alias's live state; `fledge rollback` also moves it and reads the versions it may move to. */
  readonly lambda: LambdaRegistry;
  /**
   * CloudWatch, read only: each version's traffic per check interval (`GET /deployments/{id}/traffic`).
   * Its own port, not `HealthSignals`: the API reads metrics and never touches alarms.
   */
  readonly traffic: VersionTraffic;
  /** fledge's artifacts bucket: a spec's relative `artifact.zip` is a key in it. */
  readonly artifactsBucket?: string;
  /**
   * Seals and opens list cursors; its key is derived from the approval-signing secret (read from
   * SSM on AWS, the data directory locally), so it is fetched only when a list pages.
   */
  readonly cursors: () => Promise<CursorSigner>;
}

type Handler = (deps: ApiDeps, request: HttpRequest, params: readonly string[]) => Promise<HttpResponse>;
/** A check of one path parameter: handlers receive only parameters that passed theirs. */
type ParamCheck = (value: string) => InputProblem | undefined;

const DEPLOYMENT: readonly ParamCheck[] = [(id) => deploymentIdProblem(id, 'path')];
const FUNCTION_ALIAS: readonly ParamCheck[] = [(name) => functionNameProblem(name, 'path', 'name'), (alias) => aliasProblem(alias, 'path')];

/**
 * The routes, matched in order on the decoded path segments. Each path parameter is checked
 * before its handler runs, so no id or name that can never exist becomes a table key or an AWS
 * call (a 3000-character id was a DynamoDB validation error, a 500).
 */
const ROUTES: readonly { pattern: RegExp; params: readonly ParamCheck[]; methods: Readonly<Record<string, Handler>> }[] = [
  { pattern: /^\/deployments\/?$/, params: [], methods: { POST: createDeployment, GET: listDeployments } },
  { pattern: /^\/deployments\/([^/]+)\/?$/, params: DEPLOYMENT, methods: { GET: getDeployment } },
  { pattern: /^\/deployments\/([^/]+)\/traffic\/?$/, params: DEPLOYMENT, methods: { GET: traffic } },
  { pattern: /^\/deployments\/([^/]+)\/stop\/?$/, params: DEPLOYMENT, methods: { POST: stop } },
  { pattern: /^\/deployments\/([^/]+)\/promote\/?$/, params: DEPLOYMENT, methods: { POST: promote } },
  { pattern: /^\/deployments\/([^/]+)\/pause\/?$/, params: DEPLOYMENT, methods: { POST: pause } },
  { pattern: /^\/deployments\/([^/]+)\/retry\/?$/, params: DEPLOYMENT, methods: { POST: retry } },
  { pattern: /^\/deployments\/([^/]+)\/resume\/?$/, params: DEPLOYMENT, methods: { POST: resume } },
  { pattern: /^\/deployments\/([^/]+)\/approve\/?$/, params: DEPLOYMENT, methods: { POST: (d, r, p) => decide(d, r, p, true) } },
  { pattern: /^\/deployments\/([^/]+)\/reject\/?$/, params: DEPLOYMENT, methods: { POST: (d, r, p) => decide(d, r, p, false) } },
  { pattern: /^\/functions\/([^/]+)\/aliases\/([^/]+)\/?$/, params: FUNCTION_ALIAS, methods: { GET: aliasState } },
  { pattern: /^\/functions\/([^/]+)\/aliases\/([^/]+)\/rollback\/?$/, params: FUNCTION_ALIAS, methods: { POST: rollbackAlias } },
  { pattern: /^\/metrics\/?$/, params: [], methods: { GET: metrics } },
];

/** Routes one management request (IAM-authorised on AWS) to its handler. */
export async function handleApiRequest(deps: ApiDeps, request: HttpRequest): Promise<HttpResponse> {
  for (const route of ROUTES) {
    const match = route.pattern.exec(request.path);
    if (!match) continue;
    const handler = route.methods[request.method];
    if (!handler) throw new MethodNotAllowedError(`${quote(request.method, 20)} is not allowed on ${quote(request.path, 100)}; allowed: ${Object.keys(route.methods).join(', ')}`, Object.keys(route.methods));
    const params = match.slice(1).map(decodeSegment);
    refuseProblems(route.params.map((check, i) => check(params[i] ?? '')));
    return handler(deps, request, params);
  }
  throw new ResourceNotFoundError(`no route ${quote(request.method, 20)} ${quote(request.path, 100)}; see docs/api.md`);
}

function decodeSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    throw new BadRequestError(`the path segment ${quote(segment ?? '')} is not valid percent-encoding`);
  }
}

const callerOf = (request: HttpRequest) => request.caller ?? 'local';

async function createDeployment(deps: ApiDeps, request: HttpRequest): Promise<HttpResponse> {
  const key = checkIdempotencyKey(request.headers['idempotency-key']);
  const body = parseStartBody(request);
  const caller = callerOf(request);
  const outcome = await start(deps, {
    deploymentId: key ? deploymentIdForIdempotencyKey(caller, key) : newDeploymentId('api'),
    specText: body.specText,
    specSource: 'spec',
    resolveArtifact: (spec) => body.artifact ?? resolveSpecArtifact(spec, deps.artifactsBucket),
    ...(body.artifact ? { artifactPath: 'artifact' } : {}),
    startedBy: caller,
    source: 'api',
    ...(key ? { fingerprint: requestFingerprint([body.specText, JSON.stringify(body.artifact ?? null)]) } : {}),
    recordRefusals: false,
    // The same Idempotency-Key names the same deployment: its retry resumes what AWS interrupted.
    resumable: key !== undefined,
  });
  if (outcome.kind === 'conflict') {
    throw new ConflictError('IdempotencyKeyReused', `the Idempotency-Key was already used for a different request (deployment ${outcome.record.deploymentId}); use a new key for a new deployment`, { deploymentId: outcome.record.deploymentId });
  }
  if (outcome.kind === 'refused') {
    const problems = outcome.problems.map((p) => ({ path: p.path, message: p.message, ...(p.line > 0 ? { line: p.line, column: p.column } : {}), ...(p.suggestion ? { suggestion: p.suggestion } : {}) }));
    throw new UnprocessableError('SpecInvalid', `the spec has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was started`, { problems });
  }
  if (outcome.kind === 'ended') {
    const { record } = outcome;
    const where = { deploymentId: record.deploymentId, status: record.status };
    if (outcome.duplicate) {
      throw new ConflictError('DeploymentFinished', `deployment ${record.deploymentId} already ended ${record.status} without starting (GET /deployments/${record.deploymentId} says why); send a new Idempotency-Key to start it again`, where);
    }
    throw new StartFailedError(`deployment ${record.deploymentId} could not be started: Step Functions refused fledge's call for good (a problem of the installation or its permissions, not of this request; GET /deployments/${record.deploymentId} says what). It is REJECTED (people subscribed to fledge's notifications are told), and sending the request again will not help until that is fixed`, where);
  }
  const { record } = outcome;
  return json(202, { deploymentId: record.deploymentId, executionArn: outcome.executionArn, status: record.status, functionName: record.functionName, alias: record.alias }, {
    location: `/deployments/${encodeURIComponent(record.deploymentId)}`,
    ...(outcome.duplicate ? { 'idempotent-replayed': 'true' } : {}),
  });
}

/**
 * Starts the deployment, turning a start AWS interrupted into a 503 that says whether sending
 * the request again is right: when nothing was started, or when the Idempotency-Key makes the
 * retry resume the same deployment. Without a key, a deployment whose start is unconfirmed could
 * be started twice by a retry: that answer is not retryable and says what to do instead.
 */
async function start(deps: ApiDeps, request: StartRequest): Promise<StartOutcome> {
  try {
    return await startDeployment(deps, request);
  } catch (error) {
    if (!(error instanceof StartInterruptedError)) throw error;
    const id = error.deploymentId;
    const busy = 'a service fledge depends on is busy or unavailable';
    if (error.started === 'no') {
      const again = request.resumable ? 'send the request again with the same Idempotency-Key' : 'send the request again';
      throw new ServiceUnavailableError('TryAgain', `${busy}, and nothing was started: ${again} (it is safe to)`, request.resumable ? { deploymentId: id } : undefined);
    }
    if (request.resumable) {
      throw new ServiceUnavailableError('TryAgain', `${busy}: Step Functions did not confirm the start of deployment ${id}. Send the request again with the same Idempotency-Key: it resumes that deployment and starts nothing twice`, { deploymentId: id });
    }
    const grace = Math.round(START_GRACE_MS / 60_000);
    throw new ServiceUnavailableError(
      'StartUnconfirmed',
      `${busy}: deployment ${id} was recorded, but Step Functions did not confirm its start and could not be asked. It either runs, or ends REJECTED within ${grace} minutes: look at GET /deployments/${id} instead of sending the request again, which could start a second deployment (with an Idempotency-Key, a retry is safe)`,
      { deploymentId: id },
    );
  }
}

/** A spec's own artifact: absolute s3:// as written, relative keys in fledge's bucket. */
function resolveSpecArtifact(spec: DeploymentSpec, artifactsBucket: string | undefined): ArtifactLocation | { problem: string } {
  const artifact = spec.artifact;
  if (artifact.kind === 'image') return { imageUri: artifact.imageUri };
  if (artifact.kind !== 'zip') return adoptedArtifact(artifact)!;
  if (artifact.bucket) return { bucket: artifact.bucket, key: artifact.key, ...(artifact.versionId ? { versionId: artifact.versionId } : {}) };
  if (!artifactsBucket) return { problem: `"${artifact.key}" is relative, and this API has no artifacts bucket configured: give "artifact" in the request or an s3:// location` };
  return { bucket: artifactsBucket, key: artifact.key, ...(artifact.versionId ? { versionId: artifact.versionId } : {}) };
}

async function listDeployments(deps: ApiDeps, request: HttpRequest): Promise<HttpResponse> {
  const { query, since, filters, cursor } = parseListQuery(request.query, repeatedQueryNames(request.rawQuery));
  const start = cursor === undefined ? undefined : (await deps.cursors()).open(cursor, filters);
  const page = await deps.store.listDeployments({ ...query, ...(start ? { cursor: start } : {}) });
  // Newest first: the first record older than `since` ends the listing, whatever follows.
  const kept = since === undefined ? page.items : page.items.filter((record) => record.createdAt >= since);
  const more = page.cursor !== undefined && kept.length === page.items.length;
  return json(200, { items: kept.map(summaryOf), ...(more ? { cursor: (await deps.cursors()).seal(page.cursor!, filters) } : {}) });
}

async function getDeployment(deps: ApiDeps, _request: HttpRequest, [id]: readonly string[]): Promise<HttpResponse> {
  const record = await deps.store.getDeployment(id!);
  if (!record) throw new ResourceNotFoundError(`no deployment ${id}`);
  // serverTime: clients compute "time left" against fledge's clock, not their own (local mode compresses time).
  const members = record.members ? await memberRecords(deps.store, record) : [];
  const waveRun = waveRunView(record, record.spec.targets?.length ? await waveTargetRecords(deps.store, record) : new Map());
  return json(200, { ...detailOf(record, timelineOf(record, await deps.store.listEvents(record.deploymentId)), members, waveRun), serverTime: new Date(deps.clock.now()).toISOString() });
}

/** Each version's invocations, errors and latency per check interval, from CloudWatch (docs/api.md). */
async function traffic(deps: ApiDeps, _request: HttpRequest, [id]: readonly string[]): Promise<HttpResponse> {
  const record = await deps.store.getDeployment(id!);
  if (!record) throw new ResourceNotFoundError(`no deployment ${id}`);
  return json(200, await versionTraffic(deps.traffic, record, deps.clock.now()));
}

/**
 * An optional JSON object body (empty when there is none), its depth checked before it is parsed;
 * when `fields` is given, any other field is refused.
 */
function optionalJson(request: HttpRequest, fields?: readonly string[]): Record<string, unknown> {
  if (request.body.length === 0) return {};
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new InvalidInputError([{ in: 'body', field: 'body', message: 'must be application/json when given', limit: 'a JSON object' }]);
  const value = parseJsonBody(request.body);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError([{ in: 'body', field: 'body', message: 'must be a JSON object', limit: 'a JSON object' }]);
  if (fields) refuseUnknownFields(value, fields);
  return value as Record<string, unknown>;
}

/** An optional free-text field: absent, null or blank is undefined; see {@link textProblem} for its limits. */
function optionalText(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  refuseProblems([textProblem(value, field, max)]);
  return (value as string).trim() || undefined;
}

async function stop(deps: ApiDeps, request: HttpRequest, [id]: readonly string[]): Promise<HttpResponse> {
  const reason = optionalText(optionalJson(request, ['reason']), 'reason', 500);
  const record = await requestStop(deps, { deploymentId: id!, by: callerOf(request), ...(reason ? { reason } : {}) });
  return json(202, { deploymentId: record.deploymentId, status: record.status, stopRequested: true });
}

async function promote(deps: ApiDeps, request: HttpRequest, [id]: readonly string[]): Promise<HttpResponse> {
  optionalJson(request, []);
  const record = await requestPromote(deps, { deploymentId: id!, by: callerOf(request) });
  return json(202, { deploymentId: record.deploymentId, status: record.status, promoteRequested: true });
}

/** The endings a deployment can be retried from: it ran and failed, or was rolled back. */
const RETRYABLE_ENDINGS: readonly string[] = ['FAILED', 'ROLLED_BACK'];

/**
 * Starts a new deployment from the spec and artifact of one that ended FAILED or ROLLED_BACK.
 * With an Idempotency-Key, sending it again starts nothing twice (as `POST /deployments`).
 */
async function retry(deps: ApiDeps, request: HttpRequest, [id]: readonly string[]): Promise<HttpResponse> {
  optionalJson(request, []);
  const key = checkIdempotencyKey(request.headers['idempotency-key']);
  const previous = await deps.store.getDeployment(id!);
  if (!previous) throw new ResourceNotFoundError(`no deployment ${id}`);
  if (!RETRYABLE_ENDINGS.includes(previous.status) || previous.placeholder === true) {
    throw new ConflictError('ControlRefused', `deployment ${id} is ${previous.status}: only a deployment that ended ${RETRYABLE_ENDINGS.join(' or ')} can be retried; nothing was started`, { status: previous.status });
  }
  const caller = callerOf(request);
  const outcome = await start(deps, {
    deploymentId: key ? deploymentIdForIdempotencyKey(caller, key) : newDeploymentId('api'),
    specText: '',
    spec: previous.spec,
    specSource: `deployment ${previous.deploymentId}`,
    resolveArtifact: () => previous.artifact,
    artifactPath: 'artifact',
    startedBy: caller,
    source: 'api',
    ...(key ? { fingerprint: requestFingerprint(['retry', previous.deploymentId]) } : {}),
    recordRefusals: false,
    resumable: key !== undefined,
  });
  if (outcome.kind === 'conflict') throw new ConflictError('IdempotencyKeyReused', `the Idempotency-Key was already used for a different request (deployment ${outcome.record.deploymentId}); use a new key for a new deployment`, { deploymentId: outcome.record.deploymentId });
  if (outcome.kind === 'refused') {
    const problems = outcome.problems.map((p) => ({ path: p.path, message: p.message }));
    throw new UnprocessableError('SpecInvalid', `deployment ${id} cannot be retried as it was: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}; nothing was started`, { problems });
  }
  if (outcome.kind === 'ended') throw new StartFailedError(`the retry of deployment ${id} could not be started: Step Functions refused fledge's call for good (GET /deployments/${outcome.record.deploymentId} says what)`, { deploymentId: outcome.record.deploymentId, status: outcome.record.status });
  const { record } = outcome;
  return json(202, { deploymentId: record.deploymentId, retryOf: previous.deploymentId, executionArn: outcome.executionArn, status: record.status, functionName: record.functionName, alias: record.alias }, {
    location: `/deployments/${encodeURIComponent(record.deploymentId)}`,
    ...(outcome.duplicate ? { 'idempotent-replayed': 'true' } : {}),
  });
}

async function pause(deps: ApiDeps, request: HttpRequest, [id]: readonly string[]): Promise<HttpResponse> {
  optionalJson(request, []);
  const record = await requestPause(deps, { deploymentId: id!, by: callerOf(request) });
  return json(202, { deploymentId: record.deploymentId, status: record.status, paused: true, ...(record.currentWeight !== undefined ? { weight: record.currentWeight } : {}) });
}

async function resume(deps: ApiDeps, request: HttpRequest, [id]: readonly string[]): Promise<HttpResponse> {
  optionalJson(request, []);
  const record = await requestResume(deps, { deploymentId: id!, by: callerOf(request) });
  return json(202, { deploymentId: record.deploymentId, status: record.status, paused: false, ...(record.deadline !== undefined ? { deadline: new Date(record.deadline).toISOString() } : {}) });
}

/**
 * Approve or reject the pending approval of a deployment as the authenticated caller. The body
 * is read strictly (see {@link parseApiDecisionBody}); its optional `approvalId` binds the decision
 * to the approval the caller looked at: any other id — an earlier step's, a later one's, a made-up
 * one — is a 400 and nothing is decided.
 */
async function decide(deps: ApiDeps, request: HttpRequest, [id]: readonly string[], approve: boolean): Promise<HttpResponse> {
  const body = parseApiDecisionBody(request);
  const record = await deps.store.getDeployment(id!);
  if (!record) throw new ResourceNotFoundError(`no deployment ${id}`);
  if (record.status !== 'AWAITING_APPROVAL' || !record.approvalId) throw new ConflictError('NotAwaitingApproval', `deployment ${id} is ${record.status}, not waiting for an approval`, { status: record.status });
  if (body.approvalId !== undefined && body.approvalId !== record.approvalId) {
    const message = `is ${body.approvalId}, but deployment ${id} waits for approval ${record.approvalId}`;
    throw new BadRequestError(`approvalId ${message}; a decision applies only to the approval it names, so nothing was decided`, { problems: [{ path: 'approvalId', message }], approvalId: record.approvalId });
  }
  const decided = await decideApproval(deps, { approvalId: record.approvalId, approve, by: callerOf(request), ...(body.comment ? { comment: body.comment } : {}) });
  return json(200, { deploymentId: record.deploymentId, approvalId: decided.approvalId, decision: decided.status, by: decided.decidedBy, at: new Date(decided.decidedAt ?? deps.clock.now()).toISOString() });
}

/**
 * `fledge rollback`: the alias back to a kept version at once, as the authenticated caller
 * (recorded as who asked). Body: optional `toVersion` (default: the version before the alias's
 * last SUCCEEDED deployment) and `reason`; nothing else.
 */
async function rollbackAlias(deps: ApiDeps, request: HttpRequest, [functionName, alias]: readonly string[]): Promise<HttpResponse> {
  const body = optionalJson(request, ['toVersion', 'reason']);
  const toVersion = body.toVersion === undefined || body.toVersion === null ? undefined : body.toVersion;
  refuseProblems([toVersion === undefined ? undefined : versionNumberProblem(toVersion, 'toVersion')]);
  const reason = optionalText(body, 'reason', 500);
  const record = await undoDeployment(deps, {
    functionName: functionName!,
    alias: alias!,
    ...(toVersion === undefined ? {} : { toVersion: String(toVersion) }),
    by: callerOf(request),
    source: 'api',
    ...(reason ? { reason } : {}),
    deploymentId: newDeploymentId('undo'),
  });
  return json(200, {
    deploymentId: record.deploymentId,
    functionName: record.functionName,
    alias: record.alias,
    status: record.status,
    fromVersion: record.undo?.fromVersion,
    toVersion: record.undo?.toVersion,
    by: record.undo?.requestedBy,
    ...(record.undo?.undoes ? { undoes: record.undo.undoes } : {}),
    ...(record.reason ? { reason: record.reason } : {}),
  });
}

async function aliasState(deps: ApiDeps, _request: HttpRequest, [functionName, alias]: readonly string[]): Promise<HttpResponse> {
  const [state, recent, lock] = await Promise.all([
    deps.lambda.getAlias(functionName!, alias!),
    deps.store.listDeployments({ functionName: functionName!, alias: alias!, limit: 5 }),
    deps.store.getLock(functionName!, alias!),
  ]);
  if (!state && recent.items.length === 0) throw new ResourceNotFoundError(`no alias ${functionName}:${alias}, and fledge never deployed it`);
  const active = recent.items.find((record) => record.deploymentId === lock?.holder);
  return json(200, {
    functionName,
    alias,
    live: state ? { version: state.version, weights: state.weights } : null,
    ...(lock && active && ['PENDING', 'RUNNING', 'AWAITING_APPROVAL'].includes(active.status) ? { activeDeployment: summaryOf(active) } : {}),
    deployments: recent.items.map(summaryOf),
  });
}

/** The delivery metrics of the window (docs/api.md#get-metrics): one read of the metrics index per month of it. */
async function metrics(deps: ApiDeps, request: HttpRequest): Promise<HttpResponse> {
  const query = parseMetricsQuery(request.query, deps.clock.now(), repeatedQueryNames(request.rawQuery));
  const endings = await deps.store.listEndings(query);
  return json(200, metricsView(deliveryMetrics(endings, query), query.functionName));
}
