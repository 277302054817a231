import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import type { StepFunctionsInternal } from '../src/services/stepfunctions';
import type { AwsService } from '../src/types';
import { clientConfig, eventually } from '../src/testing/clients';

type Handler = (event: unknown) => Promise<unknown> | unknown;

const role = 'arn:aws:iam::000000000000:role/fledge-states';
const invoke = 'arn:aws:states:::lambda:invoke';
const callback = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const fn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

describe('embedded Step Functions', () => {
  let aws: LocalAws;
  let sfn: SFNClient;
  let machines = 0;
  /** Every event the functions registered by the tests received, by function name. */
  const calls: { functionName: string; event: unknown }[] = [];
  const lambda = {
    handlers: {
      // fledge's functions run in process in the embedded Lambda; the tests register theirs the same way.
      set(functionName: string, handler: Handler, timeout?: number): void {
        aws.services.lambda.registerInProcessFunction({
          functionName,
          timeout,
          handler: async (event) => {
            calls.push({ functionName, event });
            return handler(event);
          },
        });
      },
    },
    calls,
  };

  beforeAll(async () => {
    // One simulated second lasts 5 real ms: a 300-s Wait takes 1.5 s.
    aws = await startLocalAws({ port: 0, timeScale: 0.005 });
    sfn = new SFNClient(clientConfig(aws));
  });
  afterAll(async () => {
    sfn.destroy();
    await aws.stop();
  });

  async function createMachine(definition: unknown): Promise<string> {
    machines += 1;
    const created = await sfn.send(new CreateStateMachineCommand({ name: `machine-${machines}`, definition: JSON.stringify(definition), roleArn: role }));
    return created.stateMachineArn!;
  }

  async function finished(executionArn: string) {
    return eventually(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    }, { what: `the end of ${executionArn}` });
  }

  async function history(executionArn: string): Promise<HistoryEvent[]> {
    return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
  }

  async function waitForEvent(executionArn: string, type: string): Promise<HistoryEvent> {
    return eventually(async () => (await history(executionArn)).find((event) => event.type === type), { what: `${type} in ${executionArn}` });
  }

  it('completes a Wait, a Lambda task of the embedded Lambda and a waitForTaskToken task after SendTaskSuccess', async () => {
    // Prepare
    let token: string | undefined;
    lambda.handlers.set('prepare', (event) => ({ prepared: event }));
    lambda.handlers.set('ask-approval', (event) => {
      token = (event as { token: string }).token;
      return { asked: true };
    });
    const arn = await createMachine({
      StartAt: 'Bake',
      States: {
        Bake: { Type: 'Wait', SecondsPath: '$.bakeSeconds', Next: 'Prepare' },
        Prepare: { Type: 'Task', Resource: invoke, Parameters: { FunctionName: 'prepare', 'Payload.$': '$' }, ResultSelector: { 'payload.$': '$.Payload', 'status.$': '$.StatusCode', 'version.$': '$.ExecutedVersion' }, ResultPath: '$.prepare', Next: 'Approve' },
        Approve: { Type: 'Task', Resource: callback, Parameters: { FunctionName: 'ask-approval', Payload: { 'token.$': '$$.Task.Token', 'execution.$': '$$.Execution.Id' } }, TimeoutSeconds: 3600, ResultPath: '$.approval', End: true },
      },
    });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ bakeSeconds: 30 }) }));
    const captured = await eventually(() => token, { what: 'the task token' });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: captured, output: JSON.stringify({ approved: true, by: 'ops' }) }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ bakeSeconds: 30, prepare: { payload: { prepared: { bakeSeconds: 30 } }, status: 200, version: '$LATEST' }, approval: { approved: true, by: 'ops' } });
    expect(captured.length).toBeGreaterThan(300);
    expect(lambda.calls.find((call) => call.functionName === 'ask-approval')?.event).toEqual({ token: captured, execution: started.executionArn });
    const types = (await history(started.executionArn!)).map((event) => event.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'WaitStateEntered', 'WaitStateExited',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited',
      'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('answers TaskDoesNotExist for the token of a finished task and InvalidToken for a token it never issued', async () => {
    // Prepare
    let token: string | undefined;
    lambda.handlers.set('capture-once', (event) => void (token = (event as { token: string }).token));
    const arn = await createMachine({ StartAt: 'Approve', States: { Approve: { Type: 'Task', Resource: callback, Parameters: { FunctionName: 'capture-once', Payload: { 'token.$': '$$.Task.Token' } }, End: true } } });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const captured = await eventually(() => token, { what: 'the task token' });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: captured, output: '{}' }));
    await finished(started.executionArn!);
    // Act
    const late = await sfn.send(new SendTaskSuccessCommand({ taskToken: captured, output: '{}' })).catch((error: unknown) => error);
    const forged = await sfn.send(new SendTaskHeartbeatCommand({ taskToken: `AQ${'x'.repeat(400)}` })).catch((error: unknown) => error);
    // Assess
    expect(late).toMatchObject({ name: 'TaskDoesNotExist', $metadata: { httpStatusCode: 400 } });
    expect(forged).toMatchObject({ name: 'InvalidToken' });
  });

  it('routes SendTaskFailure to the Catch that names its error, with Error and Cause at the ResultPath', async () => {
    // Prepare
    let token: string | undefined;
    lambda.handlers.set('ask-reject', (event) => void (token = (event as { token: string }).token));
    const arn = await createMachine({
      StartAt: 'Approve',
      States: {
        Approve: { Type: 'Task', Resource: callback, Parameters: { FunctionName: 'ask-reject', Payload: { 'token.$': '$$.Task.Token' } }, TimeoutSeconds: 3600, Catch: [{ ErrorEquals: ['fledge.Rejected'], ResultPath: '$.rejection', Next: 'RollBack' }], End: true },
        RollBack: { Type: 'Pass', End: true },
      },
    });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"deployment":"d-1"}' }));
    const captured = await eventually(() => token, { what: 'the task token' });
    // Act
    await sfn.send(new SendTaskFailureCommand({ taskToken: captured, error: 'fledge.Rejected', cause: 'not today' }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ deployment: 'd-1', rejection: { Error: 'fledge.Rejected', Cause: 'not today' } });
    const failed = (await history(started.executionArn!)).find((event) => event.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'fledge.Rejected', cause: 'not today' });
  });

  it('times a callback task out with States.Timeout, which States.TaskFailed does not catch, and refuses the late token with TaskTimedOut', async () => {
    // Prepare
    let token: string | undefined;
    lambda.handlers.set('ask-slow', (event) => void (token = (event as { token: string }).token));
    const arn = await createMachine({
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task', Resource: callback, Parameters: { FunctionName: 'ask-slow', Payload: { 'token.$': '$$.Task.Token' } }, TimeoutSecondsPath: '$.timeout',
          Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Failed' }, { ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'TimedOut' }], End: true,
        },
        Failed: { Type: 'Fail', Error: 'WrongCatch' },
        TimedOut: { Type: 'Pass', End: true },
      },
    });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"timeout":60}' }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!).timedOut).toMatchObject({ Error: 'States.Timeout' });
    const events = await history(started.executionArn!);
    const scheduled = events.find((event) => event.type === 'TaskScheduled');
    const timedOut = events.find((event) => event.type === 'TaskTimedOut');
    expect(scheduled?.taskScheduledEventDetails?.timeoutInSeconds).toBe(60);
    expect(timedOut?.taskTimedOutEventDetails?.error).toBe('States.Timeout');
    expect(timedOut!.timestamp!.getTime() - scheduled!.timestamp!.getTime()).toBeGreaterThanOrEqual(60_000);
    expect(await sfn.send(new SendTaskSuccessCommand({ taskToken: token!, output: '{}' })).catch((error: unknown) => error)).toMatchObject({ name: 'TaskTimedOut' });
  });

  it('restarts the heartbeat clock on SendTaskHeartbeat and fails a silent task with States.HeartbeatTimeout, which States.Timeout catches', async () => {
    // Prepare
    let token: string | undefined;
    lambda.handlers.set('ask-quiet', (event) => void (token = (event as { token: string }).token));
    const arn = await createMachine({
      StartAt: 'Approve',
      States: {
        Approve: { Type: 'Task', Resource: callback, Parameters: { FunctionName: 'ask-quiet', Payload: { 'token.$': '$$.Task.Token' } }, TimeoutSeconds: 3600, HeartbeatSeconds: 100, Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }], End: true },
        TimedOut: { Type: 'Pass', End: true },
      },
    });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const captured = await eventually(() => token, { what: 'the task token' });
    // Act
    const beatAt = aws.clock.now();
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: captured }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(JSON.parse(described.output!)).toMatchObject({ Error: 'States.HeartbeatTimeout' });
    const timedOut = (await history(started.executionArn!)).find((event) => event.type === 'TaskTimedOut')!;
    expect(timedOut.taskTimedOutEventDetails?.error).toBe('States.HeartbeatTimeout');
    expect(timedOut.timestamp!.getTime()).toBeGreaterThanOrEqual(beatAt + 100_000);
  });

  it('retries a named function error and shows every attempt in the history', async () => {
    // Prepare
    let attempts = 0;
    lambda.handlers.set('flaky', () => {
      attempts += 1;
      if (attempts < 3) throw new NamedError('fledge.AliasDrifted', `attempt ${attempts}: alias moved`);
      return { shifted: true };
    });
    const arn = await createMachine({
      StartAt: 'Shift',
      States: { Shift: { Type: 'Task', Resource: invoke, Parameters: { FunctionName: 'flaky', 'Payload.$': '$' }, OutputPath: '$.Payload', Retry: [{ ErrorEquals: ['fledge.AliasDrifted'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }], End: true } },
    });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ shifted: true });
    const events = await history(started.executionArn!);
    expect(events.filter((event) => event.type === 'TaskScheduled')).toHaveLength(3);
    expect(events.filter((event) => event.type === 'TaskStateEntered')).toHaveLength(1);
    const failures = events.filter((event) => event.type === 'TaskFailed').map((event) => event.taskFailedEventDetails!);
    expect(failures.map((failure) => failure.error)).toEqual(['fledge.AliasDrifted', 'fledge.AliasDrifted']);
    expect(JSON.parse(failures[0]!.cause!)).toMatchObject({ errorType: 'fledge.AliasDrifted', errorMessage: 'attempt 1: alias moved' });
    // The second retry waits IntervalSeconds × BackoffRate = 4 simulated seconds.
    const second = events.filter((event) => event.type === 'TaskFailed')[1]!;
    const third = events.filter((event) => event.type === 'TaskScheduled')[2]!;
    expect(third.timestamp!.getTime() - second.timestamp!.getTime()).toBeGreaterThanOrEqual(4_000);
  });

  it('fails the execution with the function error type as Error and the error payload as Cause', async () => {
    // Prepare
    lambda.handlers.set('broken', () => new Promise(() => undefined), 3);
    const arn = await createMachine({ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: fn('broken'), End: true } } });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
    expect(JSON.parse(described.cause!)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 3.00 seconds') });
    const types = (await history(started.executionArn!)).map((event) => event.type);
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed']);
  });

  it('surfaces a throttled Lambda invoke as Lambda.TooManyRequestsException that a Retry matches', async () => {
    // Prepare
    lambda.handlers.set('steady', () => ({ ok: true }));
    aws.faults.add({ service: 'lambda', operation: 'Invoke', kind: 'throttle', count: 1 });
    const arn = await createMachine({
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: invoke, Parameters: { FunctionName: 'steady' }, Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 1 }], End: true } },
    });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const failed = (await history(started.executionArn!)).find((event) => event.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails?.error).toBe('Lambda.TooManyRequestsException');
  });

  it('stops an execution as ABORTED without running its Catch, and tells the status-change subscriber', async () => {
    // Prepare
    const delivered: { status: string; executionArn: string }[] = [];
    lambda.handlers.set('on-status', (event) => void delivered.push((event as { detail: { status: string; executionArn: string } }).detail));
    const unsubscribe = aws.service<AwsService & { internal: StepFunctionsInternal }>('states').internal.subscribeStatusChanges({ functionName: 'on-status' });
    lambda.handlers.set('ask-forever', () => ({}));
    const arn = await createMachine({
      StartAt: 'Approve',
      States: {
        Approve: { Type: 'Task', Resource: callback, Parameters: { FunctionName: 'ask-forever', Payload: { 'token.$': '$$.Task.Token' } }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RollBack' }], End: true },
        RollBack: { Type: 'Pass', End: true },
      },
    });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'to-stop' }));
    await waitForEvent(started.executionArn!, 'TaskSubmitted');
    // Act
    await sfn.send(new StopExecutionCommand({ executionArn: started.executionArn, error: 'fledge.Cancelled', cause: 'operator asked' }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described).toMatchObject({ status: 'ABORTED', error: 'fledge.Cancelled', cause: 'operator asked' });
    const events = await history(started.executionArn!);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'fledge.Cancelled', cause: 'operator asked' } });
    expect(events.some((event) => event.stateEnteredEventDetails?.name === 'RollBack')).toBe(false);
    await eventually(() => (delivered.some((detail) => detail.status === 'ABORTED') ? true : undefined), { what: 'the ABORTED status change' });
    expect(delivered.filter((detail) => detail.executionArn === started.executionArn).map((detail) => detail.status)).toEqual(['RUNNING', 'ABORTED']);
    const statusCall = lambda.calls.find((call) => call.functionName === 'on-status' && (call.event as { detail: { status: string } }).detail.status === 'ABORTED');
    expect(statusCall).toMatchObject({ event: { 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', resources: [started.executionArn], detail: { name: 'to-stop', stateMachineArn: arn } } });
    unsubscribe();
  });

  it('applies the execution-name rules: same name and input while running is the same execution, otherwise ExecutionAlreadyExists', async () => {
    // Prepare
    const arn = await createMachine({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 100, End: true } } });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'deploy-abc', input: '{"v":1}' }));
    // Act
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'deploy-abc', input: '{"v":1}' }));
    const otherInput = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'deploy-abc', input: '{"v":2}' })).catch((error: unknown) => error);
    const badName = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'has space' })).catch((error: unknown) => error);
    // Assess
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    expect(otherInput).toMatchObject({ name: 'ExecutionAlreadyExists', $metadata: { httpStatusCode: 400 } });
    expect(badName).toMatchObject({ name: 'InvalidName', message: expect.stringContaining('" "') });
    await finished(first.executionArn!);
    expect(await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'deploy-abc', input: '{"v":1}' })).catch((error: unknown) => error)).toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('refuses invalid definitions with InvalidDefinition naming the problems, and a different definition under a taken name', async () => {
    // Prepare
    const valid = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    const create = (name: string, definition: string) => sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: role }));
    const refusal = (name: string, definition: string) => create(name, definition).then(() => undefined, (error: unknown) => error);
    // Act
    const notJson = await refusal('broken-json', '{"StartAt":');
    const missingTarget = await refusal('broken-target', JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }));
    const jsonata = await refusal('broken-jsonata', JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }));
    const first = await create('taken', valid);
    const same = await create('taken', valid);
    const different = await refusal('taken', JSON.stringify({ StartAt: 'B', States: { B: { Type: 'Succeed' } } }));
    // Assess
    expect(notJson).toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('not valid JSON') });
    expect(missingTarget).toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining("target: Nowhere") });
    expect(jsonata).toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('JSONata') });
    expect(same.stateMachineArn).toBe(first.stateMachineArn);
    expect(different).toMatchObject({ name: 'StateMachineAlreadyExists' });
  });

  it('records the history AWS shows for Pass, Choice, Wait, Parallel and Succeed states, one StateEntered per state visited', async () => {
    // Prepare
    const arn = await createMachine({
      StartAt: 'Start',
      States: {
        Start: { Type: 'Pass', Result: { step: 0 }, ResultPath: '$.progress', Next: 'More?' },
        'More?': { Type: 'Choice', Choices: [{ Variable: '$.progress.step', NumericLessThan: 2, Next: 'Pause' }], Default: 'Both' },
        Pause: { Type: 'Wait', Seconds: 5, Next: 'Step' },
        Step: { Type: 'Pass', Parameters: { 'step.$': 'States.MathAdd($.progress.step, 1)' }, ResultPath: '$.progress', Next: 'More?' },
        Both: { Type: 'Parallel', Branches: [{ StartAt: 'Left', States: { Left: { Type: 'Pass', Result: 'L', End: true } } }, { StartAt: 'Right', States: { Right: { Type: 'Pass', Result: 'R', End: true } } }], ResultPath: '$.sides', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(JSON.parse(described.output!)).toEqual({ progress: { step: 2 }, sides: ['L', 'R'] });
    const events = await history(started.executionArn!);
    const entered = events.filter((event) => event.type!.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails!.name);
    expect(entered).toEqual(['Start', 'More?', 'Pause', 'Step', 'More?', 'Pause', 'Step', 'More?', 'Both', 'Left', 'Right', 'Done']);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['PassStateEntered', 'ChoiceStateExited', 'WaitStateExited', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']));
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events.slice(1).every((event) => event.previousEventId! < event.id!)).toBe(true);
  });

  it('runs a 300-second Wait on the simulated clock and resolves Timestamp waits against it', async () => {
    // Prepare
    const arn = await createMachine({
      StartAt: 'Bake',
      States: { Bake: { Type: 'Wait', Seconds: 300, Next: 'Until' }, Until: { Type: 'Wait', TimestampPath: '$.until', End: true } },
    });
    const until = new Date(aws.clock.now() + 320_000).toISOString();
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ until }) }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const events = await history(started.executionArn!);
    const at = (type: string, name: string) => events.find((event) => event.type === type && (event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name) === name)!.timestamp!.getTime();
    expect(at('WaitStateExited', 'Bake') - at('WaitStateEntered', 'Bake')).toBeGreaterThanOrEqual(300_000);
    expect(at('WaitStateExited', 'Until')).toBeGreaterThanOrEqual(Date.parse(until));
  });

  it('gives states the context object: execution, state machine, state name and entered time', async () => {
    // Prepare
    const arn = await createMachine({
      StartAt: 'Look',
      States: { Look: { Type: 'Pass', Parameters: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name', 'start.$': '$$.Execution.StartTime', 'input.$': '$$.Execution.Input', 'state.$': '$$.State.Name', 'entered.$': '$$.State.EnteredTime', 'machine.$': '$$.StateMachine.Id' }, End: true } },
    });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'ctx', input: '{"a":1}' }));
    const described = await finished(started.executionArn!);
    // Assess
    const output = JSON.parse(described.output!);
    expect(output).toMatchObject({ id: started.executionArn, name: 'ctx', input: { a: 1 }, state: 'Look', machine: arn, start: started.startDate!.toISOString() });
    expect(Date.parse(output.entered)).toBeGreaterThanOrEqual(started.startDate!.getTime());
  });

  it('times the whole execution out at the definition TimeoutSeconds as TIMED_OUT', async () => {
    // Prepare
    const arn = await createMachine({ TimeoutSeconds: 20, StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 3600, End: true } } });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described.status).toBe('TIMED_OUT');
    expect((await history(started.executionArn!)).at(-1)?.type).toBe('ExecutionTimedOut');
  });

  it('lists executions by status page by page, and pages the history in reverse', async () => {
    // Prepare
    const arn = await createMachine({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    const arns: string[] = [];
    for (const name of ['one', 'two', 'three']) arns.push((await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name }))).executionArn!);
    await Promise.all(arns.map(finished));
    // Act
    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'SUCCEEDED', maxResults: 2 }));
    const page2 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'SUCCEEDED', maxResults: 2, nextToken: page1.nextToken }));
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' }));
    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arns[0], reverseOrder: true, maxResults: 2 }));
    // Assess
    expect([...page1.executions!, ...page2.executions!].map((execution) => execution.name).sort()).toEqual(['one', 'three', 'two']);
    expect(page2.nextToken).toBeUndefined();
    expect(running.executions).toEqual([]);
    expect(reversed.events!.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'PassStateExited']);
    expect(reversed.nextToken).toBeDefined();
  });

  it('keeps running executions on the definition they started with after UpdateStateMachine', async () => {
    // Prepare
    const arn = await createMachine({ StartAt: 'A', States: { A: { Type: 'Pass', Result: 'old', End: true } } });
    // Act
    const updated = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Result: 'new', End: true } } }) }));
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    // Assess
    expect(updated.revisionId).toBeDefined();
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).definition).toContain('new');
    expect((await finished(started.executionArn!)).output).toBe('"new"');
  });

  it('fails a task whose function does not exist with Lambda.ResourceNotFoundException', async () => {
    // Prepare
    const arn = await createMachine({ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: invoke, Parameters: { FunctionName: 'no-such-function' }, End: true } } });
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException', cause: expect.stringContaining('no-such-function') });
  });

  it('lists, describes for an execution and deletes state machines, leaving their executions describable', async () => {
    // Prepare
    const arn = await createMachine({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"secret":"s"}' }));
    await finished(started.executionArn!);
    // Act
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    const forExecution = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: started.executionArn }));
    const withoutData = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, includeExecutionData: false }));
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    const gone = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })).catch((error: unknown) => error);
    const malformed = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:nonsense' })).catch((error: unknown) => error);
    // Assess
    expect(listed.stateMachines!.map((machine) => machine.stateMachineArn)).toContain(arn);
    expect(forExecution).toMatchObject({ stateMachineArn: arn, roleArn: role, definition: expect.stringContaining('"Pass"') });
    expect(withoutData.events![0]!.executionStartedEventDetails).toEqual({ inputDetails: { truncated: false }, roleArn: role });
    expect(gone).toMatchObject({ name: 'StateMachineDoesNotExist' });
    expect(malformed).toMatchObject({ name: 'InvalidArn' });
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).status).toBe('SUCCEEDED');
  });

  it('answers an injected throttle with ThrottlingException', async () => {
    // Prepare
    aws.faults.add({ service: 'states', operation: 'ListExecutions', kind: 'throttle', count: 1 });
    const arn = await createMachine({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    // Act
    const throttled = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn })).catch((error: unknown) => error);
    // Assess
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  });

  it('shows an execution and its events on the inspection route', async () => {
    // Prepare
    const arn = await createMachine({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'inspected' }));
    await finished(started.executionArn!);
    // Act
    const response = await fetch(`${aws.endpoint}/_fledge/states/executions/${encodeURIComponent(started.executionArn!)}`);
    // Assess
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; events: { type: string }[] };
    expect(body.status).toBe('SUCCEEDED');
    expect(body.events.map((event) => event.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });
});
