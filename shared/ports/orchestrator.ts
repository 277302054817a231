/** Where a deployment's execution stands. */
export interface ExecutionStatus {
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  /** Epoch ms the execution ended, when it has. */
  readonly stopDate?: number;
  /** The error it failed with (a Fail state's `Error`, e.g. `fledge.RollbackFailed`). */
  readonly error?: string;
}

/** Step Functions as the engine and its starters use it. */
export interface Orchestrator {
  /**
   * Starts the deployment state machine with `name` = the deployment id. Starting the same name
   * with the same input again returns the existing execution (duplicate events are harmless).
   * Fails with `ExecutionRefusedError` when Step Functions refuses the input or the name itself:
   * no retry of the same request can succeed.
   */
  startExecution(input: { name: string; input: unknown }): Promise<{ executionArn: string; alreadyStarted: boolean }>;
  /**
   * The execution named `name` (= the deployment id), whatever its status, or `undefined` when
   * Step Functions has none by that name: whether a start whose answer was lost happened.
   */
  findExecution(name: string): Promise<{ readonly executionArn: string; readonly status: string } | undefined>;
  stopExecution(input: { executionArn: string; error: string; cause: string }): Promise<void>;
  /** The execution named `name` (the deployment id); `undefined` when there is none. */
  describeExecution(name: string): Promise<ExecutionStatus | undefined>;
  /** Fails with `ApprovalClosedError` when the task timed out or no longer exists. */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  /** Fails with `ApprovalClosedError` when the task timed out or no longer exists. */
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
}
