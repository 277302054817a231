import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { StateFailure } from './errors';

/**
 * The ASL data-flow semantics (paths, payload templates, intrinsic functions, Choice rules,
 * Fail's ErrorPath/CausePath) come from aws-local-stepfunctions. The embedded engine owns
 * everything about time, tasks, retries and history, so it never lets the library run a whole
 * execution: each helper here runs a one-state machine that does just one data-flow step.
 * That keeps the library's real-time timers (Wait, Retry, Task timeouts) out of the way and
 * lets every step see an exact, per-state context object.
 */

/** The context object (`$$`) as AWS defines it for JSONPath states. */
export interface ContextObject {
  readonly Execution: { readonly Id: string; readonly Input: unknown; readonly Name: string; readonly RoleArn: string; readonly StartTime: string; readonly RedriveCount: number };
  readonly StateMachine: { readonly Id: string; readonly Name: string };
  readonly State: { readonly Name: string; readonly EnteredTime: string; readonly RetryCount: number };
  readonly Task?: { readonly Token: string };
}

// The library overwrites `$$.Execution.Input` and `$$.Execution.StartTime` with its own values,
// so paths into `$$.Execution` are redirected to a copy it leaves alone.
const executionAlias = 'FledgeExecution';
const executionPath = /\$\$\.Execution(?![\w])/g;

function redirect<T>(value: T): T {
  if (typeof value === 'string') return value.replace(executionPath, () => `$$.${executionAlias}`) as T;
  if (Array.isArray(value)) return value.map(redirect) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redirect(inner)])) as T;
  return value;
}

// A Task the library hands straight to our handler; its own 60-s default timeout must never fire
// (ours runs on the simulated clock), and setTimeout caps what it can wait at 2^31 ms.
const libraryTask = { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:fledge-local-step', TimeoutSeconds: 2_147_483 } as const;

/** Runs `state` alone (plus `exits`, the states a Choice may go to) on `input`; `handler` answers a Task. */
async function runOne(state: Record<string, unknown>, input: unknown, context: ContextObject, { handler, exits = {} }: { handler?: (input: unknown) => unknown; exits?: Record<string, unknown> } = {}): Promise<unknown> {
  const definition = { StartAt: 'step', States: { step: redirect(state.Type === 'Choice' ? state : { ...state, End: true }), ...exits } };
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const run = machine.run(input as never, {
    context: { ...context, [executionAlias]: context.Execution } as never,
    overrides: handler ? { taskResourceLocalHandlers: { step: (effective: unknown) => handler(effective) as never } } : undefined,
  });
  try {
    return await run.result;
  } catch (error) {
    throw toFailure(error);
  }
}

/** Turns what the library throws into the Error/Cause pair a Retry or Catch matches on. */
function toFailure(error: unknown): unknown {
  const inner = error instanceof ExecutionError ? error.cause : error;
  if (inner instanceof StateFailure) return inner;
  if (inner instanceof Error) {
    const flags = inner as Error & { isRetryable?: boolean; isCatchable?: boolean };
    const recoverable = flags.isRetryable !== false && flags.isCatchable !== false;
    return new StateFailure(inner.name, inner.message, recoverable, { cause: inner });
  }
  return new StateFailure('States.Runtime', String(inner), false, { cause: inner });
}

function pick(state: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((field) => field in state).map((field) => [field, state[field]]));
}

/** The effective input of a state: its input after `InputPath` (and `Parameters` where given). */
export function effectiveInput(state: Record<string, unknown>, rawInput: unknown, context: ContextObject, fields: readonly ('InputPath' | 'Parameters')[] = ['InputPath', 'Parameters']): Promise<unknown> {
  return runOne({ Type: 'Pass', ...pick(state, fields) }, rawInput, context);
}

/** A state's output: `result` through `ResultSelector`, `ResultPath` (into `rawInput`) and `OutputPath`. */
export function stateOutput(state: Record<string, unknown>, rawInput: unknown, result: unknown, context: ContextObject, fields: readonly ('ResultSelector' | 'ResultPath' | 'OutputPath')[] = ['ResultSelector', 'ResultPath', 'OutputPath']): Promise<unknown> {
  return runOne({ ...libraryTask, ...pick(state, fields) }, rawInput, context, { handler: () => result });
}

/** The value a reference path (`$.a.b` or `$$.Execution.Name`) selects. */
export async function evaluatePath(path: string, input: unknown, context: ContextObject): Promise<unknown> {
  const result = (await runOne({ Type: 'Pass', Parameters: { 'value.$': path } }, input, context)) as { value: unknown };
  return result.value;
}

/** Where a Choice state goes, and its output (its input after `InputPath` and `OutputPath`). */
export async function choose(state: Record<string, unknown>, rawInput: unknown, context: ContextObject): Promise<{ next: string; output: unknown }> {
  // Each target becomes a synthetic Pass state that reports its own name, so one library run tells
  // both which rule matched and the Choice's output, whatever the targets are called.
  const targets: string[] = [];
  const exits: Record<string, Record<string, unknown>> = {};
  const exitTo = (target: unknown): string => {
    const id = `exit${targets.push(String(target)) - 1}`;
    exits[id] = { Type: 'Pass', Parameters: { target: String(target), 'output.$': '$' }, End: true };
    return id;
  };
  const choices = (state.Choices as Record<string, unknown>[]).map((rule) => ({ ...rule, Next: exitTo(rule.Next) }));
  const choiceState: Record<string, unknown> = { ...pick(state, ['InputPath', 'OutputPath']), Type: 'Choice', Choices: choices };
  if (state.Default !== undefined) choiceState.Default = exitTo(state.Default);
  const result = (await runOne(choiceState, rawInput, context, { exits })) as { target: string; output: unknown };
  return { next: result.target, output: result.output };
}

/** A Fail state's Error and Cause, from its static fields or its ErrorPath / CausePath. */
export async function failure(state: Record<string, unknown>, rawInput: unknown, context: ContextObject): Promise<{ error?: string; cause?: string }> {
  const text = async (field: string, pathField: string): Promise<string | undefined> => {
    if (typeof state[pathField] === 'string') {
      const value = await evaluatePath(state[pathField], rawInput, context);
      if (typeof value !== 'string') throw new StateFailure('States.Runtime', `The ${pathField} '${state[pathField]}' of state '${context.State.Name}' did not select a string`, false);
      return value;
    }
    return typeof state[field] === 'string' ? state[field] : undefined;
  };
  return { error: await text('Error', 'ErrorPath'), cause: await text('Cause', 'CausePath') };
}
