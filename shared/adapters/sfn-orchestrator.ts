import type { SFNClient } from '@aws-sdk/client-sfn';
import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { ApprovalClosedError, TransientAwsError } from '../model/engine-errors';
import { ExecutionRefusedError } from '../model/starter-errors';
import type { ExecutionStatus, Orchestrator } from '../ports/orchestrator';
import { sdkError, translate } from './aws-errors';

/** StartExecution's refusals of its input or name: the same call can never succeed. */
const REFUSED: Readonly<Record<string, string>> = {
  InvalidExecutionInput: 'Step Functions refused the execution input (larger than 256 KiB or not valid JSON)',
  InvalidName: 'Step Functions refused the execution name (the deployment id)',
  ValidationException: 'Step Functions refused the execution request as invalid',
};

/**
 * The account's limit of open executions: a 400 the SDK does not retry, yet it clears as
 * executions end, so the same start succeeds later.
 */
const EXECUTION_LIMIT = 'ExecutionLimitExceeded';

/** Errors that mean the waiting task is gone: the decision arrives too late. */
const CLOSED = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/** {@link Orchestrator} over Step Functions. Tokens never appear in error messages. */
export class StepFunctionsOrchestrator implements Orchestrator {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn?: string,
  ) {}

  async startExecution(input: { name: string; input: unknown }): Promise<{ executionArn: string; alreadyStarted: boolean }> {
    if (!this.stateMachineArn) throw translate(new Error('no state machine ARN configured'), `StartExecution ${input.name}`);
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: input.name, input: JSON.stringify(input.input) }));
      return { executionArn: out.executionArn ?? '', alreadyStarted: false };
    } catch (error) {
      const e = sdkError(error);
      if (e.name === 'ExecutionAlreadyExists') return { executionArn: this.executionArn(input.name), alreadyStarted: true };
      const refused = REFUSED[e.name];
      // Step Functions' own words stay in the cause (for the log); the message is fit to show a caller.
      if (refused) throw new ExecutionRefusedError(refused, { cause: error });
      if (e.name === EXECUTION_LIMIT) throw new TransientAwsError(`StartExecution ${input.name}: ${e.name}: ${e.message}`, { cause: error });
      throw translate(error, `StartExecution ${input.name}`);
    }
  }

  async findExecution(name: string): Promise<{ executionArn: string; status: string } | undefined> {
    if (!this.stateMachineArn) throw translate(new Error('no state machine ARN configured'), `DescribeExecution ${name}`);
    const executionArn = this.executionArn(name);
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return { executionArn: out.executionArn ?? executionArn, status: out.status ?? 'RUNNING' };
    } catch (error) {
      if (sdkError(error).name === 'ExecutionDoesNotExist') return undefined;
      throw translate(error, `DescribeExecution ${name}`);
    }
  }

  /** An execution's ARN is its state machine's with `:execution:` and the execution's name. */
  private executionArn(name: string): string {
    return `${(this.stateMachineArn ?? '').replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async stopExecution(input: { executionArn: string; error: string; cause: string }): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand(input));
    } catch (error) {
      throw translate(error, `StopExecution ${input.executionArn}`);
    }
  }

  async describeExecution(name: string): Promise<ExecutionStatus | undefined> {
    if (!this.stateMachineArn) throw translate(new Error('no state machine ARN configured'), `DescribeExecution ${name}`);
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return { status: out.status ?? 'RUNNING', ...(out.stopDate ? { stopDate: out.stopDate.getTime() } : {}), ...(out.error ? { error: out.error } : {}) };
    } catch (error) {
      if (sdkError(error).name === 'ExecutionDoesNotExist') return undefined;
      throw translate(error, `DescribeExecution ${name}`);
    }
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      throw this.translateTaskError(error, 'SendTaskSuccess');
    }
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    } catch (failure) {
      throw this.translateTaskError(failure, 'SendTaskFailure');
    }
  }

  private translateTaskError(error: unknown, what: string): Error {
    const e = sdkError(error);
    if (CLOSED.has(e.name)) return new ApprovalClosedError(`${what}: the approval's task is no longer waiting (${e.name})`, { cause: error });
    return translate(error, what);
  }
}
