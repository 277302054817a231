import type { HistoryEvent } from './history';

/** Execution statuses as the Step Functions API spells them. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A state machine as stored (dates are simulated epoch ms). */
export interface StateMachineRecord {
  readonly name: string;
  readonly arn: string;
  definition: string;
  roleArn: string;
  readonly type: 'STANDARD';
  readonly creationDate: number;
  updateDate?: number;
  revisionId: string;
}

/** An execution and its history (dates are simulated epoch ms). */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly name: string;
  readonly input: string;
  /** The definition the execution runs: the state machine's at StartExecution time. */
  readonly definition: string;
  readonly roleArn: string;
  readonly startDate: number;
  status: ExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  stopDate?: number;
  readonly events: HistoryEvent[];
}

/** Why a running execution ends early: StopExecution, its TimeoutSeconds, or the embedded AWS going away. */
export type Interruption =
  | { readonly kind: 'stopped'; readonly error?: string; readonly cause?: string }
  | { readonly kind: 'timedOut' }
  | { readonly kind: 'shutdown' };
