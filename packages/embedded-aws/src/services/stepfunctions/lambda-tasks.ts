import { randomUUID } from 'node:crypto';
import type { InvokeOutcome, LambdaInternal } from '../../types';
import { StateFailure } from './errors';

/** The Task resources the embedded engine runs, by how AWS records them in history. */
export type TaskResource =
  | { readonly kind: 'invoke'; readonly resource: 'invoke' }
  | { readonly kind: 'callback'; readonly resource: 'invoke.waitForTaskToken' }
  | { readonly kind: 'function'; readonly arn: string };

/**
 * Classifies a Task's `Resource`: the optimized Lambda integration (`arn:aws:states:::lambda:invoke`,
 * optionally `.waitForTaskToken`) or a function ARN (the legacy form, whose result is the payload).
 */
export function taskResource(resource: unknown, stateName: string): TaskResource {
  if (typeof resource === 'string') {
    if (/^arn:aws[\w-]*:states:[\w-]*:\d*:lambda:invoke$/.test(resource)) return { kind: 'invoke', resource: 'invoke' };
    if (/^arn:aws[\w-]*:states:[\w-]*:\d*:lambda:invoke\.waitForTaskToken$/.test(resource)) return { kind: 'callback', resource: 'invoke.waitForTaskToken' };
    if (/^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.test(resource)) return { kind: 'function', arn: resource };
  }
  throw new StateFailure('States.Runtime', `The resource '${String(resource)}' of Task state '${stateName}' is not supported by the embedded Step Functions (it runs Lambda tasks: arn:aws:states:::lambda:invoke[.waitForTaskToken] and function ARNs)`, false);
}

/** The parameters of the optimized Lambda integration that fledge and most workflows use. */
export interface InvokeParameters {
  readonly FunctionName: string;
  readonly Payload?: unknown;
  readonly Qualifier?: string;
  readonly InvocationType?: 'RequestResponse' | 'Event';
}

/** Checks a `lambda:invoke` task's effective parameters, naming the state when they are wrong. */
export function invokeParameters(parameters: unknown, stateName: string): InvokeParameters {
  const record = (parameters ?? {}) as Record<string, unknown>;
  if (typeof record.FunctionName !== 'string' || record.FunctionName === '') {
    throw new StateFailure('States.Runtime', `Task state '${stateName}': the lambda:invoke parameters need a FunctionName string, got ${JSON.stringify(record.FunctionName ?? null)}`, false);
  }
  const type = record.InvocationType ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'Event') {
    throw new StateFailure('States.Runtime', `Task state '${stateName}': InvocationType must be RequestResponse or Event, got ${JSON.stringify(type)}`, false);
  }
  return { FunctionName: record.FunctionName, Payload: record.Payload, Qualifier: typeof record.Qualifier === 'string' ? record.Qualifier : undefined, InvocationType: type };
}

/**
 * Invokes a function of the embedded Lambda for a task. A function error fails the task with
 * the payload's `errorType` as Error and the whole error payload as Cause; a Lambda service
 * error (throttle, missing function) fails it with `Lambda.<ExceptionName>` — both as on AWS.
 */
export async function invokeForTask(lambda: () => LambdaInternal, functionName: string, payload: unknown, options: { qualifier?: string; invocationType?: 'RequestResponse' | 'Event' } = {}): Promise<InvokeOutcome> {
  let outcome: InvokeOutcome;
  try {
    outcome = await lambda().invoke(functionName, JSON.stringify(payload ?? {}), options);
  } catch (error) {
    throw lambdaServiceFailure(error);
  }
  if (outcome.functionError) {
    const text = outcome.payload.toString('utf8');
    throw new StateFailure(errorTypeOf(text) ?? 'Lambda.Unknown', text);
  }
  return outcome;
}

function errorTypeOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { errorType?: unknown };
    return typeof parsed.errorType === 'string' && parsed.errorType !== '' ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

function lambdaServiceFailure(error: unknown): StateFailure {
  const record = (error ?? {}) as { code?: unknown; name?: unknown; status?: unknown; message?: unknown };
  const code = [record.code, record.name].find((value): value is string => typeof value === 'string' && /^[A-Z]\w*(Exception|Error)$/.test(value));
  const exception = code && code.endsWith('Exception') ? code : 'ServiceException';
  const status = typeof record.status === 'number' ? record.status : exception === 'TooManyRequestsException' ? 429 : 500;
  const message = typeof record.message === 'string' ? record.message : String(error);
  return new StateFailure(`Lambda.${exception}`, `${message} (Service: Lambda, Status Code: ${status}, Error Code: ${exception}, Request ID: ${randomUUID()})`, true, { cause: error });
}

/** The parsed payload of an invocation: JSON when it is JSON, else the text (null when empty). */
export function payloadOf(outcome: InvokeOutcome): unknown {
  const text = outcome.payload.toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The result of the optimized `lambda:invoke` integration, shaped as AWS returns it. */
export function invokeResult(outcome: InvokeOutcome): Record<string, unknown> {
  const requestId = randomUUID();
  const headers = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': outcome.executedVersion, 'x-amzn-RequestId': requestId };
  return {
    ExecutedVersion: outcome.executedVersion,
    // An asynchronous (Event) invoke answers no payload, which the integration reports as "".
    Payload: outcome.payload.length === 0 ? '' : payloadOf(outcome),
    SdkHttpMetadata: { AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])), HttpHeaders: headers, HttpStatusCode: outcome.statusCode },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: outcome.statusCode,
  };
}
