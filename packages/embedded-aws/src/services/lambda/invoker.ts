import { randomUUID } from 'node:crypto';
import type { ImageStandIns } from './images';
import type { InvokeOutcome, SimClock } from '../../types';
import type { CodeStore } from './code-store';
import type { InvokeTarget, LambdaControlPlane } from './control-plane';
import type { AsyncQueue, QueuedRunResult } from './async/queue';
import { invalidRequestContent, LambdaApiError } from './errors';
import type { LambdaMetrics } from './metrics';
import type { FunctionRecord } from './model';
import { functionArn, type FunctionReference } from './names';
import type { EnvironmentPool } from './runtime/environment-pool';
import type { RunResult } from './runtime/execution-environment';

/** Lambda's synchronous payload limit. */
const MAX_PAYLOAD_BYTES = 6_291_456;
/** Lambda returns at most the last 4 KB of the log with `LogType: Tail`. */
const LOG_TAIL_BYTES = 4096;

/** An Invoke call, from the HTTP API or from a sibling service. */
export interface InvokeRequest {
  readonly ref: FunctionReference;
  readonly payload: Buffer;
  readonly invocationType: 'RequestResponse' | 'Event' | 'DryRun';
  readonly logType?: 'None' | 'Tail';
}

/** What the invoker needs from the service around it. */
export interface InvokerOptions {
  readonly plane: LambdaControlPlane;
  readonly pool: EnvironmentPool;
  readonly codes: CodeStore;
  /** The stand-ins container images run as (images.ts). */
  readonly images?: ImageStandIns;
  readonly metrics: LambdaMetrics;
  /** Whether an invocation runs on provisioned concurrency (the PC configurations). */
  readonly provisioned: (fn: FunctionRecord, aliasName: string | undefined, version: string, inFlight: number) => 'provisioned' | 'spillover' | undefined;
  readonly clock: SimClock;
  readonly endpoint: () => string;
  readonly takeFault: (operation: string) => Promise<LambdaApiError | undefined>;
  readonly log: (message: string) => void;
  /** Lambda's asynchronous event queue, where `Event` invocations go. */
  readonly queue: () => AsyncQueue;
}

/**
 * Runs invocations: resolves the version (by the alias's weights), runs the code in a warm
 * isolated environment (or in process for fledge's own handlers) under the function's timeout,
 * and records the `AWS/Lambda` metrics of each invocation. `Event` invocations are checked here
 * and handed to the asynchronous queue, which runs them through {@link Invoker.runQueued}.
 */
export class Invoker {
  /** Invocations running now, per `function\u0000version`: provisioned concurrency serves only so many at once. */
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: InvokerOptions) {}

  /**
   * Invokes a function. API-level failures (not found, throttled, Pending, bad payload) reject
   * with a {@link LambdaApiError}; a failing function resolves with `functionError` set, as on AWS.
   * An `Event` invocation is journaled in the asynchronous queue before it is answered (202).
   */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const { target, event } = await this.admit(request);
    const executedVersion = target.record.version;
    if (request.invocationType === 'DryRun') return { statusCode: 204, payload: Buffer.alloc(0), executedVersion };
    if (request.invocationType === 'Event') {
      this.options.queue().submit(request.ref, event, 'api');
      return { statusCode: 202, payload: Buffer.alloc(0), executedVersion };
    }
    const result = await this.run(target, event);
    return {
      statusCode: 200,
      payload: Buffer.from(result.payload),
      executedVersion,
      functionError: result.failed ? 'Unhandled' : undefined,
      logTail: request.logType === 'Tail' ? tail(result.logs) : undefined,
    };
  }

  /**
   * Invoke's checks for an asynchronous invocation, without running it: what an event source's
   * call of Invoke goes through before Lambda takes the event. Resolves to the version it would run.
   */
  async accept(ref: FunctionReference, payload: string): Promise<string> {
    const { target } = await this.admit({ ref, payload: Buffer.from(payload), invocationType: 'Event' });
    return target.record.version;
  }

  /**
   * One run of a queued asynchronous invocation. Lambda throttles queued events when it runs
   * them, so a throttle injected on `Invoke` applies here too (and is counted in `Throttles`).
   */
  async runQueued(ref: FunctionReference, payload: string, requestId: string): Promise<QueuedRunResult> {
    await this.takeInvokeFault(ref);
    const target = this.options.plane.invokeTarget(ref);
    this.checkRunnable(target);
    const result = await this.run(target, payload, requestId);
    return { failed: result.failed, payload: result.payload, executedVersion: target.record.version };
  }

  /** The checks every invocation passes before anything runs: faults, payload size and JSON, the target and its runtime. */
  private async admit(request: InvokeRequest): Promise<{ target: InvokeTarget; event: string }> {
    await this.takeInvokeFault(request.ref);
    if (request.payload.length > MAX_PAYLOAD_BYTES) {
      throw new LambdaApiError('RequestEntityTooLargeException', 413, `${request.payload.length} byte payload is too large for the ${request.invocationType === 'Event' ? 'Event' : 'RequestResponse'} invocation type (limit ${MAX_PAYLOAD_BYTES} bytes)`, { Type: 'User' });
    }
    const target = this.options.plane.invokeTarget(request.ref);
    const event = parseEvent(request.payload);
    this.checkRunnable(target);
    return { target, event };
  }

  /** Throws the fault injected on `Invoke`, if any; a throttle of an existing function counts in its `Throttles` metric. */
  private async takeInvokeFault(ref: FunctionReference): Promise<void> {
    const fault = await this.options.takeFault('Invoke');
    if (!fault) return;
    if (fault.code === 'TooManyRequestsException' && this.options.plane.functions.has(ref.name)) {
      this.options.metrics.record({ functionName: ref.name, qualifier: ref.qualifier, executedVersion: this.throttledVersion(ref), timestamp: this.options.clock.now(), outcome: { kind: 'throttled' } });
    }
    throw fault;
  }

  /**
   * The version a throttled call through an alias was routed to (by the alias's weights), so the
   * throttle counts in that version's `ExecutedVersion` series, as the canary's own metrics do;
   * undefined for a call not through an alias, or an alias that cannot be resolved.
   */
  private throttledVersion(ref: FunctionReference): string | undefined {
    try {
      const target = this.options.plane.invokeTarget(ref);
      return target.aliasName === undefined ? undefined : target.record.version;
    } catch {
      return undefined;
    }
  }

  private checkRunnable(target: InvokeTarget): void {
    if (target.fn.inProcess) return;
    const s = target.record.settings;
    // An image runs only through the stand-in registered for it (images.ts), a Node.js zip.
    if (s.packageType === 'Image' && target.record.code.zipKey !== undefined) return;
    if (s.packageType === 'Image') {
      throw new LambdaApiError('InvalidRuntimeException', 502, `The embedded Lambda cannot run container images: ${target.fn.name} (${s.imageUri ?? ''}) is stored but runs only on AWS`, { Type: 'User', Message: 'container images cannot run in the embedded Lambda' });
    }
    if (!s.runtime?.startsWith('nodejs')) {
      throw new LambdaApiError('InvalidRuntimeException', 502, `The embedded Lambda runs Node.js functions only: ${target.fn.name} has runtime ${s.runtime ?? 'none'}`, { Type: 'User', Message: `runtime ${s.runtime ?? 'none'} cannot run in the embedded Lambda` });
    }
  }

  private async run(target: InvokeTarget, event: string, requestId: string = randomUUID()): Promise<RunResult> {
    const { fn, record } = target;
    const timestamp = this.options.clock.now();
    const started = performance.now();
    const flightKey = `${fn.name}\u0000${record.version}`;
    const running = this.inFlight.get(flightKey) ?? 0;
    const provisioned = this.options.provisioned(fn, target.aliasName, record.version, running);
    this.inFlight.set(flightKey, running + 1);
    try {
      return await this.execute(target, event, requestId, timestamp, started, provisioned);
    } finally {
      const left = (this.inFlight.get(flightKey) ?? 1) - 1;
      if (left > 0) this.inFlight.set(flightKey, left);
      else this.inFlight.delete(flightKey);
    }
  }

  private async execute(target: InvokeTarget, event: string, requestId: string, timestamp: number, started: number, provisioned: 'provisioned' | 'spillover' | undefined): Promise<RunResult> {
    const { fn, record } = target;
    const timeoutSeconds = record.settings.timeout;
    // Code runs at real speed whatever the time scale: compressing its timeout would time out
    // healthy functions, so a function never gets less real time than it would on AWS.
    const timeoutRealMs = Math.max(this.options.clock.toRealMs(timeoutSeconds * 1000), timeoutSeconds * 1000);
    const location = this.options.plane.location;
    const invokedArn = functionArn(location, fn.name, target.qualifier);
    let result: RunResult;
    if (fn.inProcess) {
      result = await runInProcess(fn.inProcess, event, { functionName: fn.name, awsRequestId: requestId, invokedFunctionArn: invokedArn }, timeoutRealMs, timeoutSeconds, this.options.clock.timeScale);
    } else {
      const zipKey = record.code.zipKey;
      if (!zipKey) throw new Error(`lambda: ${fn.name}:${record.version} has no code`);
      const key = `${fn.name}\u0000${record.version}\u0000${this.options.plane.fingerprint(record)}`;
      const spec = () => {
        const taskRoot = this.options.codes.taskRoot(zipKey);
        return {
          taskRoot,
          handler: record.settings.handler ?? this.options.images?.handlerFor(zipKey) ?? '',
          memorySize: record.settings.memorySize,
          timeScale: this.options.clock.timeScale,
          env: this.environment(target, taskRoot),
        };
      };
      const context = {
        awsRequestId: requestId,
        functionName: fn.name,
        functionVersion: record.version,
        invokedFunctionArn: invokedArn,
        memoryLimitInMB: String(record.settings.memorySize),
        logGroupName: `/aws/lambda/${fn.name}`,
        logStreamName: logStream(record.version),
      };
      result = await this.options.pool.run(key, spec, event, context, timeoutRealMs, timeoutSeconds);
    }
    // Lambda's Duration is the handler's run: the runtime's own timing, which leaves out the
    // environment's start and the handler's loading (Init Duration) and any wait in this process;
    // the time around the run only when the runtime could not time it (a timeout, a crash).
    const scale = this.options.clock.timeScale;
    const durationMs = (result.durationRealMs ?? performance.now() - started) / scale;
    const initMs = result.initRealMs === undefined ? undefined : result.initRealMs / scale;
    const logs = frameLogs(requestId, record.version, result, { durationMs, initMs }, record.settings.memorySize, timeoutSeconds);
    if (result.logs) this.options.log(`lambda ${fn.name}:${record.version}: ${result.logs.trimEnd()}`);
    this.options.metrics.record({
      functionName: fn.name,
      qualifier: target.qualifier,
      executedVersion: target.aliasName === undefined ? undefined : record.version,
      timestamp,
      outcome: { kind: 'ran', failed: result.failed, durationMs: Math.round(durationMs * 100) / 100 },
      ...(provisioned === undefined ? {} : { provisioned }),
    });
    return { ...result, logs };
  }

  /** The environment variables Lambda sets, over the function's own; the SDK inside talks to the embedded AWS. */
  private environment(target: InvokeTarget, taskRoot: string): Record<string, string> {
    const { fn, record } = target;
    const region = this.options.plane.location.region;
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      AWS_ENDPOINT_URL: this.options.endpoint(),
      ...record.settings.environment,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${record.settings.runtime ?? 'nodejs22.x'}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: record.version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(record.settings.memorySize),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream(record.version),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: taskRoot,
      _HANDLER: record.settings.handler ?? '',
    };
  }
}

/** An empty payload is the event `{}`; anything else must be JSON, as Lambda requires. */
function parseEvent(payload: Buffer): string {
  const text = payload.toString('utf8');
  if (text.trim() === '') return '{}';
  try {
    JSON.parse(text);
  } catch (error) {
    throw invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`);
  }
  return text;
}

/** Runs one of fledge's own handlers in this process, with the function's timeout and Lambda's error document. */
async function runInProcess(
  handler: NonNullable<InvokeTarget['fn']['inProcess']>,
  event: string,
  ids: { functionName: string; awsRequestId: string; invokedFunctionArn: string },
  timeoutRealMs: number,
  timeoutSeconds: number,
  timeScale: number,
): Promise<RunResult> {
  const deadline = Date.now() + timeoutRealMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<RunResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${ids.awsRequestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` }), failed: true, logs: '', discard: false }),
      timeoutRealMs,
    );
  });
  const ran = (async (): Promise<RunResult> => {
    try {
      const result = await handler(JSON.parse(event), { ...ids, getRemainingTimeInMillis: () => Math.max(0, Math.round((deadline - Date.now()) / timeScale)) });
      return { payload: result === undefined ? 'null' : JSON.stringify(result) ?? 'null', failed: false, logs: '', discard: false };
    } catch (error) {
      return { payload: JSON.stringify(errorDocument(error)), failed: true, logs: '', discard: false };
    }
  })();
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lambda's Node.js error document: `{errorType, errorMessage, trace}`, errorType being the error's `name`. */
export function errorDocument(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/** The function's log stream name, in Lambda's `YYYY/MM/DD/[version]id` form. */
function logStream(version: string): string {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[${version}]fledge0local0environment`;
}

/** Frames an invocation's output with Lambda's START / END / REPORT lines (a cold start's REPORT has its Init Duration). */
function frameLogs(requestId: string, version: string, result: RunResult, timing: { durationMs: number; initMs: number | undefined }, memorySize: number, timeoutSeconds: number): string {
  const { durationMs, initMs } = timing;
  const timedOut = result.failed && result.payload.includes('"Sandbox.Timedout"');
  const lines = [
    `START RequestId: ${requestId} Version: ${version}\n`,
    result.logs,
    timedOut ? `${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds\n` : '',
    `END RequestId: ${requestId}\n`,
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\tMemory Size: ${memorySize} MB\t${initMs === undefined ? '' : `Init Duration: ${initMs.toFixed(2)} ms\t`}\n`,
  ];
  return lines.join('');
}

/** The base64 of the last 4 KB of the log, as `X-Amz-Log-Result` carries it. */
function tail(logs: string): string {
  const bytes = Buffer.from(logs, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}
