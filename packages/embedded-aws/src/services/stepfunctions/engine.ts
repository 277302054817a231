import type { LambdaInternal, SimClock } from '../../types';
import { choose, effectiveInput, evaluatePath, failure, stateOutput, type ContextObject } from './asl';
import type { AslDefinition, AslState } from './definition';
import { ExecutionInterrupted, StateFailure } from './errors';
import { HistoryRecorder, json, type Thread } from './history';
import { invokeForTask, invokeParameters, invokeResult, payloadOf, taskResource } from './lambda-tasks';
import type { ExecutionRecord, Interruption } from './model';
import { matches, retryDelayMs, timeoutErrors, type Catcher, type Retrier } from './retry';
import type { TaskTokens } from './tokens';

/** What the engine needs from the embedded AWS around it. */
export interface EngineDependencies {
  readonly clock: SimClock;
  readonly region: string;
  readonly lambda: () => LambdaInternal;
  readonly tokens: TaskTokens;
}

/** A running execution: `interrupt` ends it at once (no Catch runs); `done` settles once the engine has unwound. */
export interface RunningExecution {
  interrupt(reason: Interruption): void;
  readonly done: Promise<void>;
}

/** AWS's effective default when a Task has no TimeoutSeconds: 99999999 s (more than a year). */
const defaultTaskTimeoutSeconds = 99_999_999;

interface Scope {
  readonly record: ExecutionRecord;
  readonly history: HistoryRecorder;
  readonly deps: EngineDependencies;
  readonly signal: AbortSignal;
  readonly executionInput: unknown;
}

/**
 * Runs an execution to its end on the simulated clock, appending AWS-shaped events to
 * `record.events`, setting its final status, output, error and cause, then calling `onEnd`
 * exactly once.
 */
export function runExecution(record: ExecutionRecord, definition: AslDefinition, deps: EngineDependencies, onEnd: (record: ExecutionRecord) => void): RunningExecution {
  const controller = new AbortController();
  const history = new HistoryRecorder(record.events, deps.clock);
  const thread: Thread = { last: 0 };
  const input = JSON.parse(record.input) as unknown;
  const scope: Scope = { record, history, deps, signal: controller.signal, executionInput: input };
  history.add(thread, 'ExecutionStarted', { input: record.input, inputDetails: { truncated: false }, roleArn: record.roleArn });

  const end = (status: ExecutionRecord['status'], type: string, details: Record<string, unknown>): void => {
    if (record.status !== 'RUNNING') return;
    record.status = status;
    record.stopDate = deps.clock.now();
    history.close(thread, type, details);
    if (!controller.signal.aborted) controller.abort({ kind: 'shutdown' } satisfies Interruption);
    deps.tokens.closeExecution(record.executionArn);
    onEnd(record);
  };
  const interrupt = (reason: Interruption): void => {
    if (record.status !== 'RUNNING') return;
    controller.abort(reason);
    if (reason.kind === 'timedOut') {
      record.error = 'States.Timeout';
      record.cause = 'The execution ran longer than the TimeoutSeconds of its state machine';
      end('TIMED_OUT', 'ExecutionTimedOut', errorDetails(record.error, record.cause));
      return;
    }
    const stopped = reason.kind === 'stopped' ? reason : { error: 'States.Runtime', cause: 'The embedded AWS stopped while the execution was running' };
    record.error = stopped.error;
    record.cause = stopped.cause;
    end('ABORTED', 'ExecutionAborted', errorDetails(stopped.error, stopped.cause));
  };
  if (typeof definition.TimeoutSeconds === 'number') {
    deps.clock.sleep(definition.TimeoutSeconds * 1000, controller.signal).then(() => interrupt({ kind: 'timedOut' }), () => undefined);
  }

  const done = runStates(definition, input, thread, scope).then(
    (output) => {
      if (record.status !== 'RUNNING') return;
      record.output = json(output);
      end('SUCCEEDED', 'ExecutionSucceeded', { output: record.output, outputDetails: { truncated: false } });
    },
    (error: unknown) => {
      if (record.status !== 'RUNNING') return;
      const failed = error instanceof StateFailure ? error : new StateFailure('States.Runtime', `internal error of the embedded Step Functions: ${error instanceof Error ? error.message : String(error)}`, false, { cause: error });
      record.error = failed.error || undefined;
      record.cause = failed.causeText;
      end('FAILED', 'ExecutionFailed', errorDetails(record.error, record.cause));
    },
  );
  return { interrupt, done };
}

const errorDetails = (error?: string, cause?: string): Record<string, unknown> => ({ ...(error !== undefined && { error }), ...(cause !== undefined && { cause }) });

function checkInterrupted(scope: Scope): void {
  if (scope.signal.aborted) throw new ExecutionInterrupted('the execution was interrupted');
}

/** Sleeps `ms` simulated milliseconds unless the execution is interrupted first. */
async function pause(scope: Scope, ms: number): Promise<void> {
  try {
    await scope.deps.clock.sleep(Math.max(0, ms), scope.signal);
  } catch {
    throw new ExecutionInterrupted('the execution was interrupted during a pause');
  }
}

async function runStates(definition: Pick<AslDefinition, 'StartAt' | 'States'>, input: unknown, thread: Thread, scope: Scope): Promise<unknown> {
  let name = definition.StartAt;
  let current = input;
  for (;;) {
    checkInterrupted(scope);
    const state = definition.States[name];
    if (!state) throw new StateFailure('States.Runtime', `The state '${name}' does not exist in the definition`, false);
    const step = await runState(name, state, current, thread, scope);
    if (step.next === undefined) return step.output;
    name = step.next;
    current = step.output;
  }
}

interface Step {
  readonly output: unknown;
  /** The next state, or undefined when the execution (or branch) ends here. */
  readonly next?: string;
}

function contextFor(scope: Scope, name: string, enteredTime: number, retryCount: number, token?: string): ContextObject {
  const { record } = scope;
  return {
    // A copy per state: a state's output may carry $$.Execution.Input, and later states must not change it.
    Execution: { Id: record.executionArn, Input: structuredClone(scope.executionInput), Name: record.name, RoleArn: record.roleArn, StartTime: new Date(record.startDate).toISOString(), RedriveCount: 0 },
    StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineName },
    State: { Name: name, EnteredTime: new Date(enteredTime).toISOString(), RetryCount: retryCount },
    ...(token !== undefined && { Task: { Token: token } }),
  };
}

const nextOf = (state: AslState): string | undefined => (state.End === true ? undefined : (state.Next as string));

async function runState(name: string, state: AslState, input: unknown, thread: Thread, scope: Scope): Promise<Step> {
  const { history } = scope;
  const enteredTime = scope.deps.clock.now();
  history.add(thread, `${state.Type}StateEntered`, { name, input: json(input), inputDetails: { truncated: false } });
  const context = contextFor(scope, name, enteredTime, 0);
  const exit = (output: unknown, next: string | undefined): Step => {
    checkInterrupted(scope);
    history.add(thread, `${state.Type}StateExited`, { name, output: json(output), outputDetails: { truncated: false } });
    return { output, next };
  };
  switch (state.Type) {
    case 'Pass': {
      const effective = await effectiveInput(state, input, context);
      const result = 'Result' in state ? state.Result : effective;
      return exit(await stateOutput(state, input, result, context, ['ResultPath', 'OutputPath']), nextOf(state));
    }
    case 'Wait': {
      const effective = await effectiveInput(state, input, context, ['InputPath']);
      await pause(scope, await waitMs(state, effective, context, scope.deps.clock));
      return exit(await stateOutput(state, effective, effective, context, ['OutputPath']), nextOf(state));
    }
    case 'Choice': {
      const { next, output } = await choose(state, input, context);
      return exit(output, next);
    }
    case 'Succeed': {
      const effective = await effectiveInput(state, input, context, ['InputPath']);
      return exit(await stateOutput(state, effective, effective, context, ['OutputPath']), undefined);
    }
    case 'Fail': {
      const { error, cause } = await failure(state, input, context);
      // Recoverable: a Fail inside a Parallel branch fails the branch, which the Parallel may catch.
      throw new StateFailure(error ?? '', cause);
    }
    case 'Task':
    case 'Parallel': {
      const attempt = state.Type === 'Task' ? (retryCount: number) => runTaskAttempt(name, state, input, thread, scope, enteredTime, retryCount) : (retryCount: number) => runParallelAttempt(name, state, input, thread, scope, contextFor(scope, name, enteredTime, retryCount));
      const step = await withRetryAndCatch(state, input, scope, context, attempt);
      return exit(step.output, step.next ?? nextOf(state));
    }
    default:
      throw new StateFailure('States.Runtime', `State '${name}' has type '${state.Type}', which the embedded Step Functions does not run`, false);
  }
}

async function waitMs(state: AslState, effective: unknown, context: ContextObject, clock: SimClock): Promise<number> {
  const name = context.State.Name;
  if (typeof state.Seconds === 'number') return state.Seconds * 1000;
  if (typeof state.Timestamp === 'string') return timestampMs(state.Timestamp, name, 'Timestamp') - clock.now();
  if (typeof state.SecondsPath === 'string') {
    const seconds = await evaluatePath(state.SecondsPath, effective, context);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StateFailure('States.Runtime', `Wait state '${name}': SecondsPath '${state.SecondsPath}' selected ${JSON.stringify(seconds)}, not a non-negative integer`, false);
    }
    return seconds * 1000;
  }
  if (typeof state.TimestampPath === 'string') {
    const timestamp = await evaluatePath(state.TimestampPath, effective, context);
    return timestampMs(timestamp, name, `TimestampPath '${state.TimestampPath}'`) - clock.now();
  }
  throw new StateFailure('States.Runtime', `Wait state '${name}' has none of Seconds, SecondsPath, Timestamp, TimestampPath`, false);
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function timestampMs(value: unknown, stateName: string, what: string): number {
  const parsed = typeof value === 'string' && rfc3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(parsed)) throw new StateFailure('States.Runtime', `Wait state '${stateName}': ${what} gave ${JSON.stringify(value)}, not an RFC 3339 timestamp`, false);
  return parsed;
}

async function withRetryAndCatch(state: AslState, rawInput: unknown, scope: Scope, context: ContextObject, attempt: (retryCount: number) => Promise<unknown>): Promise<Step> {
  const retriers = (state.Retry ?? []) as readonly Retrier[];
  const catchers = (state.Catch ?? []) as readonly Catcher[];
  const attempts = retriers.map(() => 0);
  const isTask = state.Type === 'Task';
  for (let retryCount = 0; ; ) {
    try {
      return { output: await attempt(retryCount) };
    } catch (error) {
      if (!(error instanceof StateFailure) || !error.recoverable) throw error;
      checkInterrupted(scope);
      const index = retriers.findIndex((retrier) => matches(retrier.ErrorEquals, error.error, isTask));
      const retrier = retriers[index];
      if (retrier && (attempts[index] ?? 0) < (retrier.MaxAttempts ?? 3)) {
        await pause(scope, retryDelayMs(retrier, attempts[index] ?? 0));
        attempts[index] = (attempts[index] ?? 0) + 1;
        retryCount += 1;
        continue;
      }
      const catcher = catchers.find((candidate) => matches(candidate.ErrorEquals, error.error, isTask));
      if (!catcher) throw error;
      const errorOutput = { Error: error.error, ...(error.causeText !== undefined && { Cause: error.causeText }) };
      const output = await stateOutput('ResultPath' in catcher ? { ResultPath: catcher.ResultPath } : {}, rawInput, errorOutput, context, ['ResultPath']);
      return { output, next: catcher.Next };
    }
  }
}

async function secondsOf(state: AslState, field: 'TimeoutSeconds' | 'HeartbeatSeconds', rawInput: unknown, context: ContextObject): Promise<number | undefined> {
  if (typeof state[field] === 'number') return state[field];
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  const value = await evaluatePath(path, rawInput, context);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StateFailure('States.Runtime', `Task state '${context.State.Name}': ${field}Path '${path}' selected ${JSON.stringify(value)}, not a positive integer`, false);
  }
  return value;
}

async function runTaskAttempt(name: string, state: AslState, rawInput: unknown, thread: Thread, scope: Scope, enteredTime: number, retryCount: number): Promise<unknown> {
  const { history, deps, record } = scope;
  const resource = taskResource(state.Resource, name);
  const minted = resource.kind === 'callback' ? deps.tokens.mint(record.executionArn, name) : undefined;
  const context = contextFor(scope, name, enteredTime, retryCount, minted?.token);
  try {
    const parameters = await effectiveInput(state, rawInput, context);
    const timeoutSeconds = (await secondsOf(state, 'TimeoutSeconds', rawInput, context)) ?? defaultTaskTimeoutSeconds;
    const heartbeatSeconds = await secondsOf(state, 'HeartbeatSeconds', rawInput, context);
    checkInterrupted(scope);
    const legacy = resource.kind === 'function';
    const taskEvent = legacy ? {} : { resourceType: 'lambda', resource: resource.resource };
    const prefix = legacy ? 'LambdaFunction' : 'Task';
    if (legacy) {
      history.add(thread, 'LambdaFunctionScheduled', { resource: resource.arn, input: json(parameters), inputDetails: { truncated: false }, ...(typeof state.TimeoutSeconds === 'number' && { timeoutInSeconds: timeoutSeconds }) });
      history.add(thread, 'LambdaFunctionStarted');
    } else {
      history.add(thread, 'TaskScheduled', {
        ...taskEvent,
        region: deps.region,
        parameters: json(parameters),
        ...(state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
        ...(heartbeatSeconds !== undefined && { heartbeatInSeconds: heartbeatSeconds }),
      });
      history.add(thread, 'TaskStarted', taskEvent);
    }

    const work = async (): Promise<unknown> => {
      if (resource.kind === 'function') return payloadOf(await invokeForTask(deps.lambda, resource.arn, parameters));
      const invoke = invokeParameters(parameters, name);
      const outcome = await invokeForTask(deps.lambda, invoke.FunctionName, invoke.Payload, { qualifier: invoke.Qualifier, invocationType: invoke.InvocationType });
      if (!minted) return invokeResult(outcome);
      checkInterrupted(scope);
      history.add(thread, 'TaskSubmitted', { ...taskEvent, output: json(invokeResult(outcome)), outputDetails: { truncated: false } });
      const callback = await minted.outcome;
      if (callback.kind === 'failure') throw new StateFailure(callback.error ?? '', callback.cause);
      return JSON.parse(callback.output) as unknown;
    };

    let result: unknown;
    try {
      result = await withTimeouts(scope, work(), timeoutSeconds, !minted, minted && heartbeatSeconds !== undefined ? { seconds: heartbeatSeconds, listen: minted.setHeartbeatListener } : undefined);
    } catch (error) {
      if (error instanceof StateFailure && !scope.signal.aborted) {
        const timedOut = timeoutErrors.has(error.error);
        if (minted && timedOut) deps.tokens.close(minted.token, 'timedOut');
        history.add(thread, `${prefix}${timedOut ? 'TimedOut' : 'Failed'}`, { ...taskEvent, ...errorDetails(error.error, error.causeText) });
      }
      throw error;
    }
    checkInterrupted(scope);
    history.add(thread, `${prefix}Succeeded`, { ...taskEvent, output: json(result), outputDetails: { truncated: false } });
    return await stateOutput(state, rawInput, result, context);
  } finally {
    if (minted) deps.tokens.close(minted.token, 'done');
  }
}

/**
 * Races a task against its TimeoutSeconds, its heartbeat and the execution's interruption, on the
 * simulated clock. A task that only runs code (`bindsRealWork`) is never given less real time than
 * its TimeoutSeconds: code does not run faster under a compressed time scale. A callback task's
 * timeout is a waiting time, so it is compressed.
 */
function withTimeouts(scope: Scope, work: Promise<unknown>, timeoutSeconds: number, bindsRealWork: boolean, heartbeat?: { seconds: number; listen: (listener: () => void) => void }): Promise<unknown> {
  const { clock } = scope.deps;
  return new Promise((resolve, reject) => {
    const local = new AbortController();
    const signal = AbortSignal.any([local.signal, scope.signal]);
    const settle = (action: () => void): void => {
      if (local.signal.aborted) return;
      local.abort();
      action();
    };
    work.then((value) => settle(() => resolve(value)), (error: unknown) => settle(() => reject(error)));
    const timeoutMs = timeoutSeconds * 1000 * (bindsRealWork ? Math.max(1, 1 / clock.timeScale) : 1);
    clock.sleep(timeoutMs, signal).then(
      () => settle(() => reject(new StateFailure('States.Timeout', `The task ran longer than its ${timeoutSeconds} s TimeoutSeconds`))),
      () => settle(() => reject(new ExecutionInterrupted('the execution was interrupted during a task'))),
    );
    if (heartbeat) {
      let beat = new AbortController();
      const arm = (): void => {
        beat.abort();
        beat = new AbortController();
        clock.sleep(heartbeat.seconds * 1000, AbortSignal.any([signal, beat.signal])).then(
          () => settle(() => reject(new StateFailure('States.HeartbeatTimeout', `No heartbeat arrived within the task's ${heartbeat.seconds} s HeartbeatSeconds`))),
          () => undefined,
        );
      };
      arm();
      heartbeat.listen(arm);
    }
  });
}

async function runParallelAttempt(name: string, state: AslState, rawInput: unknown, thread: Thread, scope: Scope, context: ContextObject): Promise<unknown> {
  const { history } = scope;
  const effective = await effectiveInput(state, rawInput, context);
  const started = history.add(thread, 'ParallelStateStarted');
  const branches = (state.Branches ?? []) as readonly AslDefinition[];
  const controller = new AbortController();
  const branchScope: Scope = { ...scope, signal: AbortSignal.any([scope.signal, controller.signal]) };
  let firstFailure: unknown;
  const results = await Promise.allSettled(
    branches.map((branch) =>
      runStates(branch, structuredClone(effective), { last: started }, branchScope).catch((error: unknown) => {
        if (firstFailure === undefined && !(error instanceof ExecutionInterrupted)) {
          firstFailure = error;
          controller.abort();
        }
        throw error;
      }),
    ),
  );
  checkInterrupted(scope);
  if (firstFailure !== undefined) {
    const failed = firstFailure instanceof StateFailure ? firstFailure : new StateFailure('States.Runtime', String(firstFailure), false);
    history.add(thread, 'ParallelStateFailed');
    throw failed;
  }
  history.add(thread, 'ParallelStateSucceeded');
  const outputs = results.map((result) => (result.status === 'fulfilled' ? result.value : null));
  return stateOutput(state, rawInput, outputs, { ...context, State: { ...context.State, Name: name } });
}
