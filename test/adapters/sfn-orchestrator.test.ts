import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidExecutionInput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StepFunctionsOrchestrator } from '../../shared/adapters/sfn-orchestrator';
import { ApprovalClosedError, AwsCallFailedError, TransientAwsError } from '../../shared/model/engine-errors';
import { ExecutionRefusedError } from '../../shared/model/starter-errors';
import { serviceError } from './sdk-errors';

// Step Functions' answers translated at the adapter boundary, on a mocked client.

const client = new SFNClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const sfn = mockClient(client);
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:fledge-deployment';
const orchestrator = new StepFunctionsOrchestrator(client, stateMachineArn);
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAT-task-token';

afterEach(() => {
  sfn.reset();
});

describe('the Step Functions orchestrator', () => {
  it('takes an execution that exists already as started before, with its ARN', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(serviceError(ExecutionAlreadyExists, 'ExecutionAlreadyExists', 400));

    // Act / Assess
    expect(await orchestrator.startExecution({ name: 'dep-1', input: {} })).toEqual({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:fledge-deployment:dep-1', alreadyStarted: true });
  });

  it("refuses an input Step Functions will never take, in words fit for the caller, keeping AWS's in the cause", async () => {
    // Prepare
    const error = serviceError(InvalidExecutionInput, 'InvalidExecutionInput', 400, 'Input exceeds the maximum size');
    sfn.on(StartExecutionCommand).rejects(error);

    // Act
    const failure = await orchestrator.startExecution({ name: 'dep-1', input: {} }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(ExecutionRefusedError);
    expect((failure as Error).message).toBe('Step Functions refused the execution input (larger than 256 KiB or not valid JSON)');
    expect((failure as Error).cause).toBe(error);
  });

  it.each([
    ['a throttle', 'transient', serviceError(SFNServiceException, 'ThrottlingException', 400), TransientAwsError],
    ['a 500', 'transient', serviceError(SFNServiceException, 'InternalServerError', 500), TransientAwsError],
    ['access denied', 'a failed call, not retried', serviceError(SFNServiceException, 'AccessDeniedException', 400), AwsCallFailedError],
  ])('reads %s on StartExecution and StopExecution as %s', async (_what, _as, error, expected) => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(error);
    sfn.on(StopExecutionCommand).rejects(error);

    // Act / Assess
    await expect(orchestrator.startExecution({ name: 'dep-1', input: {} })).rejects.toBeInstanceOf(expected);
    await expect(orchestrator.stopExecution({ executionArn: 'arn', error: 'e', cause: 'c' })).rejects.toBeInstanceOf(expected);
  });

  it('reads an execution that never started as absent', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).rejects(serviceError(ExecutionDoesNotExist, 'ExecutionDoesNotExist', 400));

    // Act / Assess
    expect(await orchestrator.describeExecution('dep-1')).toBeUndefined();
  });

  it.each([
    ['timed out', serviceError(TaskTimedOut, 'TaskTimedOut', 400)],
    ['an invalid token', serviceError(InvalidToken, 'InvalidToken', 400)],
    ['gone', serviceError(TaskDoesNotExist, 'TaskDoesNotExist', 400)],
  ])('closes the approval when its task is %s, without the token in the message', async (_what, error) => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(error);
    sfn.on(SendTaskFailureCommand).rejects(error);

    // Act
    const success = await orchestrator.sendTaskSuccess(TOKEN, { approved: true }).catch((e: unknown) => e);
    const failure = await orchestrator.sendTaskFailure(TOKEN, 'fledge.ApprovalRejected', 'rejected').catch((e: unknown) => e);

    // Assess
    for (const closed of [success, failure]) {
      expect(closed).toBeInstanceOf(ApprovalClosedError);
      expect((closed as Error).message).not.toContain(TOKEN);
    }
  });

  it('keeps a throttled decision retryable, without the token in the message', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).rejects(serviceError(SFNServiceException, 'ThrottlingException', 400, 'Rate exceeded'));

    // Act
    const failure = await orchestrator.sendTaskSuccess(TOKEN, { approved: true }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(TransientAwsError);
    expect((failure as Error).message).toBe('SendTaskSuccess: ThrottlingException: Rate exceeded');
  });
});
