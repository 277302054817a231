import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsService, LambdaInternal, LocalContext } from '../../types';
import { AliasOperations } from './aliases';
import { AsyncJournal } from './async/journal';
import { CallerOperations } from './callers';
import { DEFAULT_RETRY_SETTINGS } from './async/policy';
import { AsyncQueue, type AsyncSettings } from './async/queue';
import { EventInvokeConfigOperations } from './event-invoke-config';
import { ImageStandIns } from './images';
import { CodeStore } from './code-store';
import { LambdaControlPlane } from './control-plane';
import { Invoker } from './invoker';
import { takeLambdaFault } from './faults';
import { LambdaMetrics } from './metrics';
import type { ProvisionedConcurrencyActivation, VersionActivation } from './model';
import { ProvisionedConcurrencyOperations } from './provisioned-concurrency';
import { functionArn, parseFunctionName, type FunctionReference } from './names';
import { handleLambdaRequest, type LambdaApi } from './routes';
import { EnvironmentPool } from './runtime/environment-pool';

/** Defaults of `LocalAwsOptions.lambda`. */
export const LAMBDA_DEFAULTS = {
  /** Simulated ms a function stays Pending after create and InProgress after an update. */
  updateDelayMs: 500,
  /** Warm execution environments kept per version (concurrent invocations beyond wait). */
  maxEnvironmentsPerVersion: 4,
  /** Real ms an unused execution environment is kept warm. */
  idleTimeoutMs: 300_000,
  /** Simulated ms a published version of a SnapStart function stays Pending while Lambda takes its snapshot. */
  snapStartDelayMs: 60_000,
  /** Simulated ms provisioned concurrency stays IN_PROGRESS before READY (AWS: "after a minute or two of preparation"). */
  provisionedConcurrencyDelayMs: 60_000,
  /** The account's ConcurrentExecutions quota (AWS's default). */
  concurrentExecutions: 1000,
  /** What must stay unreserved (AWS: 100 on a default account). */
  minimumUnreservedConcurrency: 100,
} as const;

/** The embedded Lambda as the other services and the tests see it. */
export interface LambdaService extends AwsService {
  readonly internal: LambdaInternal;
  /**
   * Test hook: versions of `functionName` published from now on stay `Pending` for `pendingMs` of
   * simulated time (SnapStart snapshots, container images and Managed Instances take minutes on
   * AWS), during which invocations routed to them fail with ResourceConflictException; then they
   * are Active, or `Failed` with `failure` (StateReason / StateReasonCode). `undefined` restores
   * the default: Pending for `lambda.updateDelayMs`, then Active. The function must exist.
   */
  setVersionActivation(functionName: string, activation: VersionActivation | undefined): void;
  /**
   * Test and demo hook: registers a local *stand-in* for a container image — a Node.js function zip
   * and its handler — which functions and versions built from `imageUri` run when invoked (the
   * embedded Lambda has no container runtime). The image's digest (its CodeSha256) is the zip's
   * SHA-256, hex. Not persisted: register again after a restart.
   */
  registerImage(imageUri: string, zip: Buffer, handler: string): { digest: string };
  /**
   * Test hook: provisioned concurrency put on `functionName` from now on becomes READY after
   * `readyMs` of simulated time, never (`readyMs: null`), or FAILED with `failure` as its
   * StatusReason once `readyMs` has passed. `undefined` restores the default
   * (`lambda.provisionedConcurrencyDelayMs`, then READY). The function must exist.
   */
  setProvisionedConcurrencyActivation(functionName: string, activation: ProvisionedConcurrencyActivation | undefined): void;
}

/**
 * The embedded Lambda (restJson1, signing name `lambda`): functions, versions, aliases with
 * weighted routing, and Invoke running real Node.js code in isolated warm worker threads, with
 * AWS's semantics and error names. State, code and aliases persist under `<dataDir>/lambda`.
 */
export function createLambdaService(context: LocalContext): LambdaService {
  const settings = { ...LAMBDA_DEFAULTS, ...context.options.lambda };
  const location = { region: context.region, accountId: context.accountId };
  const codes = new CodeStore(context.dataDir);
  const images = new ImageStandIns(codes);
  const pool = new EnvironmentPool(settings.maxEnvironmentsPerVersion, settings.idleTimeoutMs);
  const plane = new LambdaControlPlane({
    location,
    clock: context.clock,
    updateDelayMs: settings.updateDelayMs,
    snapStartDelayMs: settings.snapStartDelayMs,
    dataDir: context.dataDir,
    codes,
    images,
    s3: () => context.services.s3,
    codeLocation: (zipKey) => `${context.endpoint()}/_fledge/lambda/code/${zipKey}`,
    onStale: (name, version) => pool.retire(version === undefined ? `${name}\u0000` : `${name}\u0000${version}\u0000`),
  });
  const takeFault = (operation: string) => takeLambdaFault(context, operation);
  const provisionedConcurrency = new ProvisionedConcurrencyOperations(plane, {
    delayMs: settings.provisionedConcurrencyDelayMs,
    account: { limit: settings.concurrentExecutions, minimumUnreserved: settings.minimumUnreservedConcurrency },
  });
  // The queue and the invoker call each other, each only once the service runs.
  const queue: AsyncQueue = new AsyncQueue({
    clock: context.clock,
    journal: new AsyncJournal(context.dataDir),
    log: context.log,
    accept: (ref, payload) => invoker.accept(ref, payload),
    run: (ref, payload, requestId) => invoker.runQueued(ref, payload, requestId),
    settings: (ref) => asyncSettings(plane, ref),
    sendTo: (arn, message, kind) => sendToDestination(context, queue, arn, message, kind),
  });
  const invoker = new Invoker({
    plane,
    pool,
    codes,
    images,
    metrics: new LambdaMetrics(() => context.services.metrics, context.log),
    provisioned: (fn, aliasName, version, inFlight) => provisionedConcurrency.use(fn, aliasName, version, inFlight),
    clock: context.clock,
    endpoint: context.endpoint,
    takeFault,
    log: context.log,
    queue: () => queue,
  });
  const api: LambdaApi = { plane, aliases: new AliasOperations(plane), eventInvokeConfigs: new EventInvokeConfigOperations(plane), callers: new CallerOperations(plane, context.dataDir), provisionedConcurrency, invoker, location, takeFault, log: context.log };

  const internal: LambdaInternal = {
    invoke: async (nameOrArn, payload, options = {}) => {
      const ref = parseFunctionName(nameOrArn, options.qualifier, location);
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      if (options.invocationType === 'Event' && options.source !== undefined) {
        // Journaled before the first await: what the source was told is taken survives a kill.
        const { handedOver } = queue.submit(ref, body.toString('utf8'), options.source);
        return { statusCode: 202, payload: Buffer.alloc(0), executedVersion: await handedOver };
      }
      return invoker.invoke({ ref, payload: body, invocationType: options.invocationType ?? 'RequestResponse' });
    },
    registerInProcessFunction: (definition) => plane.registerInProcess(definition),
  };

  return {
    signingName: 'lambda',
    internal,
    setVersionActivation: (functionName, activation) => plane.setVersionActivation(functionName, activation),
    registerImage: (imageUri, zip, handler) => images.register(imageUri, zip, handler),
    setProvisionedConcurrencyActivation: (functionName, activation) => provisionedConcurrency.setActivation(functionName, activation),
    handle: (request: IncomingMessage, response: ServerResponse, body: Buffer) => handleLambdaRequest(api, request, response, body),
    inspect: (path, query) => inspect(plane, codes, queue, path, query),
    async start() {
      queue.resume();
    },
    async stop() {
      await queue.stop(() => pool.close());
      codes.dispose();
    },
  };
}

/** The retry settings and destinations of a function's asynchronous invocations: its EventInvokeConfig for the qualifier, and its dead-letter queue. */
function asyncSettings(plane: LambdaControlPlane, ref: FunctionReference): AsyncSettings {
  const qualifier = ref.qualifier ?? '$LATEST';
  const arn = functionArn(plane.location, ref.name, qualifier);
  const fn = plane.functions.get(ref.name);
  if (!fn) return { retry: DEFAULT_RETRY_SETTINGS, functionArn: arn };
  const config = fn.eventInvokeConfigs?.get(qualifier);
  let deadLetterTargetArn: string | undefined;
  try {
    deadLetterTargetArn = plane.versionOf(fn, qualifier).settings.deadLetterTargetArn;
  } catch {
    // The qualifier is gone: no dead-letter queue to read.
  }
  return {
    retry: {
      maximumRetryAttempts: config?.maximumRetryAttempts ?? DEFAULT_RETRY_SETTINGS.maximumRetryAttempts,
      maximumEventAgeSeconds: config?.maximumEventAgeInSeconds ?? DEFAULT_RETRY_SETTINGS.maximumEventAgeSeconds,
    },
    onSuccess: config?.onSuccess,
    onFailure: config?.onFailure,
    deadLetterTargetArn,
    functionArn: arn,
  };
}

/**
 * Sends an invocation record (destinations) or the event (dead-letter queue) on: a Lambda
 * function gets it as an asynchronous invocation, an SNS topic as a message. The embedded AWS
 * has no SQS, EventBridge bus or S3 destination: those are refused with a reason, and logged.
 */
async function sendToDestination(context: LocalContext, queue: AsyncQueue, arn: string, message: string, kind: 'record' | 'event'): Promise<void> {
  const service = arn.split(':')[2];
  if (service === 'lambda') {
    queue.submit(parseFunctionName(arn, undefined, { region: context.region, accountId: context.accountId }), message, 'lambda');
    return;
  }
  if (service === 'sns') {
    const sns = context.services.sns;
    if (!sns) throw new Error('the embedded SNS is not running');
    await sns.publish({ topicArn: arn, message, ...(kind === 'event' ? {} : { subject: 'AWS Lambda invocation record' }) });
    return;
  }
  throw new Error(`the embedded AWS has no ${service === 'sqs' ? 'SQS' : service === 'events' ? 'EventBridge' : service === 's3' ? 'S3 destination delivery' : `'${String(service)}' service`} to deliver to`);
}

/**
 * Read-only views for tests and the demo, at GET `/_fledge/lambda/<path>`:
 * `functions`, `functions/<name>`, `functions/<name>/aliases/<alias>`, `code/<sha256-hex>`,
 * `async` (asynchronous deliveries, newest first; `?function=`, `?status=`, `?source=`) and
 * `async/<id>`; undefined (a 404 from the control API) for anything else.
 */
function inspect(plane: LambdaControlPlane, codes: CodeStore, queue: AsyncQueue, path: string, query: URLSearchParams): unknown {
  const [kind, name, sub, aliasName] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (kind === 'async' && name === undefined) {
    return { deliveries: queue.list({ functionName: query.get('function') ?? undefined, status: query.get('status') ?? undefined, source: query.get('source') ?? undefined }) };
  }
  if (kind === 'async' && name !== undefined && sub === undefined) return queue.find(name);
  if (kind === 'functions' && name === undefined) return [...plane.functions.values()].map((fn) => summary(plane, fn.name));
  if (kind === 'functions' && name !== undefined && sub === undefined) return summary(plane, name);
  if (kind === 'functions' && name !== undefined && sub === 'aliases' && aliasName !== undefined) {
    const fn = plane.functions.get(name);
    const alias = fn?.aliases.get(aliasName);
    if (!alias) return undefined;
    return { name: alias.name, functionVersion: alias.functionVersion, additionalVersionWeights: { ...alias.additionalVersionWeights }, revisionId: alias.revisionId };
  }
  if (kind === 'code' && name !== undefined && /^[0-9a-f]{64}$/.test(name)) {
    const zip = codes.find(name);
    if (!zip) return undefined;
    return { CodeSize: zip.length, ZipFile: zip.toString('base64') };
  }
  return undefined;
}

function summary(plane: LambdaControlPlane, name: string): unknown {
  const fn = plane.functions.get(name);
  if (!fn) return undefined;
  plane.settleAll(fn);
  const version = (record: typeof fn.latest) => {
    const c = plane.configuration(fn, record);
    return { version: record.version, codeSha256: record.code.codeSha256, revisionId: record.revisionId, state: c.State, lastUpdateStatus: c.LastUpdateStatus };
  };
  return {
    name: fn.name,
    inProcess: fn.inProcess !== undefined,
    runtime: fn.latest.settings.runtime,
    versions: [fn.latest, ...fn.versions.values()].map(version),
    aliases: [...fn.aliases.values()].map((alias) => ({ name: alias.name, functionVersion: alias.functionVersion, additionalVersionWeights: { ...alias.additionalVersionWeights }, revisionId: alias.revisionId })),
  };
}
