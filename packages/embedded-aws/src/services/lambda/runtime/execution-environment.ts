import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker-source';

/** What one invocation of a function's code produced. */
export interface RunResult {
  /** JSON text the handler returned, or the Lambda error document when it failed. */
  readonly payload: string;
  readonly failed: boolean;
  /** Console output of the invocation, in Lambda's text format. */
  readonly logs: string;
  /** The environment cannot be reused (it timed out, crashed or failed to initialise). */
  readonly discard: boolean;
  /**
   * Real ms the handler ran, timed by the runtime itself (Lambda's `Duration`: no init, no
   * queueing); absent when the runtime could not time it (a timeout, a crash, a failed init).
   */
  readonly durationRealMs?: number;
  /** Real ms the environment took to start and load the handler, on its first invocation only (Lambda's `Init Duration`). */
  readonly initRealMs?: number;
}

/** How to start an execution environment for one function version. */
export interface EnvironmentSpec {
  readonly taskRoot: string;
  readonly handler: string;
  readonly env: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly timeScale: number;
}

/** The invocation context the handler sees (minus the functions the runtime adds). */
export interface InvocationContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

interface WorkerReply {
  readonly type: 'result' | 'fatal';
  readonly id?: number;
  readonly ok?: boolean;
  readonly payload?: string;
  readonly error?: unknown;
  readonly logs?: string[];
  readonly discard?: boolean;
  readonly durationMs?: number;
  readonly initMs?: number;
}

/**
 * One isolated execution environment: a worker thread with its own `process.env`, module cache
 * and heap limit, running one invocation at a time, kept warm between invocations the way
 * Lambda reuses a sandbox.
 */
export class ExecutionEnvironment {
  private readonly worker: Worker;
  private nextId = 1;
  private pending: { id: number; resolve: (result: RunResult) => void; timer: NodeJS.Timeout; requestId: string } | undefined;
  private dead = false;

  constructor(spec: EnvironmentSpec) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: { ...spec.env },
      workerData: { taskRoot: spec.taskRoot, handler: spec.handler, timeScale: spec.timeScale },
      // Lambda's MemorySize bounds the heap; young generation and code space keep V8's defaults.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, spec.memorySize) },
      stdout: true,
      stderr: true,
    });
    this.worker.unref();
    this.worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.onExit(`Runtime exited with error: ${error.message}`));
    this.worker.on('exit', (code) => this.onExit(`Runtime exited with error: exit status ${code}`));
  }

  /** True once the worker is gone; a dead environment is never reused. */
  get isDead(): boolean {
    return this.dead;
  }

  /**
   * Runs one invocation. `timeoutRealMs` bounds the handler's run (not the worker's start, as
   * Lambda's init phase is not part of the function timeout); on expiry the worker is killed and
   * the result is Lambda's `Sandbox.Timedout` error.
   */
  run(event: string, context: InvocationContext, timeoutRealMs: number, timeoutSeconds: number): Promise<RunResult> {
    if (this.dead || this.pending) throw new Error('lambda: execution environment is busy or dead');
    const id = this.nextId++;
    this.worker.ref();
    return new Promise<RunResult>((resolve) => {
      const timer = setTimeout(() => {
        this.finish({
          payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${context.awsRequestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds` }),
          failed: true,
          logs: '',
          discard: true,
        });
        void this.terminate();
      }, timeoutRealMs);
      this.pending = { id, resolve, timer, requestId: context.awsRequestId };
      this.worker.postMessage({ type: 'invoke', id, event, context: { ...context, deadlineMs: Date.now() + timeoutRealMs } });
    });
  }

  /** Stops the worker. */
  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private onReply(reply: WorkerReply): void {
    if (!this.pending) return;
    if (reply.type === 'fatal') {
      this.finish({ payload: JSON.stringify(reply.error), failed: true, logs: (reply.logs ?? []).join(''), discard: true });
      return;
    }
    if (reply.id !== this.pending.id) return;
    const logs = (reply.logs ?? []).join('');
    const timing = { ...(reply.durationMs !== undefined && { durationRealMs: reply.durationMs }), ...(reply.initMs !== undefined && { initRealMs: reply.initMs }) };
    if (reply.ok) this.finish({ payload: reply.payload ?? 'null', failed: false, logs, discard: false, ...timing });
    else this.finish({ payload: JSON.stringify(reply.error), failed: true, logs, discard: reply.discard === true, ...timing });
  }

  private onExit(reason: string): void {
    this.dead = true;
    const pending = this.pending;
    if (pending) {
      this.finish({ payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${pending.requestId} Error: ${reason}` }), failed: true, logs: '', discard: true });
    }
  }

  private finish(result: RunResult): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (!this.dead) this.worker.unref();
    if (result.discard) this.dead = true;
    pending.resolve(result);
  }
}
