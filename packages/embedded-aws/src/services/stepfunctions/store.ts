import { join } from 'node:path';
import { LocalStateError, readJsonState, writeJsonState } from '../../state-file';
import type { ExecutionRecord, StateMachineRecord } from './model';
import type { StatusChangeSubscription } from './status-events';

/** Everything the embedded Step Functions keeps across restarts. */
export interface PersistedStepFunctions {
  readonly version: 1;
  readonly stateMachines: readonly StateMachineRecord[];
  readonly executions: readonly ExecutionRecord[];
  readonly subscriptions: readonly StatusChangeSubscription[];
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
    const parsed = readJsonState<PersistedStepFunctions>(this.file, 'embedded Step Functions');
    if (parsed && parsed.version !== 1) throw new LocalStateError(`embedded Step Functions: ${this.file} has unknown version ${String(parsed.version)}; fix or delete it`);
    return parsed;
  }

  save(state: PersistedStepFunctions): void {
    if (this.file) writeJsonState(this.file, state);
  }
}
