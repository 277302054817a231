import { FAULT_KINDS, type FaultKind, type Persistence } from './fault-kinds';
import { OPERATIONS, type Door, type OperationRow, type ScenarioName, type Timing } from './operations';

/** One case of the fault matrix. */
export interface MatrixCase {
  /** Stable and readable: `lambda.UpdateAlias.throttle.transient.during.api`. */
  readonly id: string;
  /** Undefined for a fault-free baseline. */
  readonly row?: OperationRow;
  readonly scenario: ScenarioName;
  readonly kind: FaultKind | 'none';
  readonly persistence: Persistence;
  readonly timing: Timing;
  readonly door: Door;
}

const DOORS: readonly Door[] = ['api', 'drop'];
const SCENARIOS: readonly ScenarioName[] = ['approved', 'rejected', 'newFunction', 'newAlias'];

/**
 * Every case, generated from {@link OPERATIONS} × {@link FAULT_KINDS} × persistence × timing ×
 * door, plus one fault-free baseline per scenario and door:
 * - each kind transient, and each kind that can be held persistent (all but latency);
 * - each timing the row's operation is reached at;
 * - both doors when the door itself calls the operation before the execution starts (the fault
 *   then meets the door), else one door, alternating, so both doors start deployments with
 *   faults of every service and kind: the door has done its part before such a fault is reached.
 */
export function matrixCases(): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const scenario of SCENARIOS) for (const door of DOORS) cases.push({ id: `baseline.${scenario}.${door}`, scenario, kind: 'none', persistence: 'transient', timing: 'before', door });
  let alternate = 0;
  for (const row of OPERATIONS) {
    for (const kind of Object.keys(FAULT_KINDS) as FaultKind[]) {
      const persistences: Persistence[] = FAULT_KINDS[kind].persistent ? ['transient', 'persistent'] : ['transient'];
      for (const persistence of persistences) {
        for (const timing of row.timings) {
          const doors = timing === 'before' && row.doors ? row.doors : [DOORS[alternate++ % DOORS.length]!];
          for (const door of doors) {
            const scenario = row.scenario === 'approved' ? '' : `.${row.scenario}`;
            cases.push({ id: `${row.service}.${row.operation}${scenario}.${kind}.${persistence}.${timing}.${door}`, row, scenario: row.scenario, kind, persistence, timing, door });
          }
        }
      }
    }
  }
  return cases;
}

/**
 * The cases of shard `index` (1-based) of `count`: every `count`-th case, so each shard gets a
 * mix of services, kinds and slow persistent cases, and the shards take about as long.
 */
export function shardOf(index: number, count: number): MatrixCase[] {
  return matrixCases().filter((_, position) => position % count === index - 1);
}

/** Shards of the matrix: one test file each (`matrix-<n>.test.ts`), one embedded AWS each, run in parallel workers. */
export const SHARDS = 12;

