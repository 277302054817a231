import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalAwsError } from '../../errors';
import type { ExecutionRecord, StateMachineRecord } from './model';
import type { StatusChangeSubscription } from './status-events';

/** Everything the embedded Step Functions keeps across restarts. */
export interface PersistedStepFunctions {
  readonly version: 1;
  readonly stateMachines: readonly StateMachineRecord[];
  readonly executions: readonly ExecutionRecord[];
  readonly subscriptions: readonly StatusChangeSubscription[];
}

/** The data directory of the embedded Step Functions could not be read or written. */
export class StepFunctionsStoreError extends LocalAwsError {
  override readonly name = 'StepFunctionsStoreError';
}

/**
 * One JSON file, `<dataDir>/stepfunctions/state.json`, rewritten atomically (write then rename)
 * whenever a state machine, subscription or execution status changes. Without a data
 * directory nothing is written.
 */
export class StepFunctionsStore {
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir ? join(dataDir, 'stepfunctions', 'state.json') : undefined;
  }

  load(): PersistedStepFunctions | undefined {
    if (!this.file) return undefined;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StepFunctionsStoreError(`cannot read the Step Functions state at ${this.file}`, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as PersistedStepFunctions;
      if (parsed.version !== 1) throw new Error(`unknown version ${String(parsed.version)}`);
      return parsed;
    } catch (error) {
      throw new StepFunctionsStoreError(`the Step Functions state at ${this.file} is not valid: ${(error as Error).message}`, { cause: error });
    }
  }

  save(state: PersistedStepFunctions): void {
    if (!this.file) return;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(state));
      renameSync(temporary, this.file);
    } catch (error) {
      throw new StepFunctionsStoreError(`cannot write the Step Functions state to ${this.file}`, { cause: error });
    }
  }
}
