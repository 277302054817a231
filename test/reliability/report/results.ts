import type { Machine } from '../../../bench/lib/machine';
import type { CaseFigures } from '../support/figures';

/** One test of the suite as the reporter saw it. */
export interface CaseResult extends CaseFigures {
  readonly passed: boolean;
}

/** The counts docs/reliability.md shows. */
export interface Totals {
  readonly cases: number;
  readonly passed: number;
  readonly failed: number;
  /** Calls that met an injected fault. */
  readonly faultsInjected: number;
  readonly aliasesSplit: number;
  readonly aliasesDisagreeing: number;
  readonly deploymentsLost: number;
  /** Drops whose event the trigger still failed on after Lambda's retries: in the failed-events destination, people told, nothing started. */
  readonly handedOver: number;
  readonly outcomeChanges: number;
  readonly locksHeld: number;
  readonly historiesMissing: number;
  readonly notificationErrors: number;
  readonly faultsNeverMet: number;
  /** Cases that needed the repair loop (not converged once the fault was cleared). */
  readonly repairsNeeded: number;
  readonly repairLoopMissing: number;
}

/** What one complete `npm run test:reliability` observed: test/reliability/results/latest.json. */
export interface ReliabilityResults {
  readonly startedAt: string;
  readonly seconds: number;
  /** Test files run at once (vitest workers). */
  readonly workers: number;
  readonly machine: Machine;
  readonly commit: string;
  readonly matrix: Totals;
  readonly crash: Totals;
  /** Tests without figures (the coverage guard), by name, and whether they passed. */
  readonly checks: readonly { readonly name: string; readonly passed: boolean }[];
  readonly cases: readonly CaseResult[];
}

/** Adds up the figures of some cases. */
export function totalsOf(cases: readonly CaseResult[]): Totals {
  const count = (predicate: (c: CaseResult) => boolean) => cases.filter(predicate).length;
  return {
    cases: cases.length,
    passed: count((c) => c.passed),
    failed: count((c) => !c.passed),
    faultsInjected: cases.reduce((sum, c) => sum + c.faultsTaken, 0),
    aliasesSplit: count((c) => c.aliasSplit),
    aliasesDisagreeing: count((c) => c.aliasDisagrees),
    deploymentsLost: count((c) => c.lost),
    handedOver: count((c) => c.status === 'HANDED_OVER'),
    outcomeChanges: count((c) => c.outcomeChanged),
    locksHeld: count((c) => c.lockHeld),
    historiesMissing: count((c) => c.historyMissing),
    notificationErrors: count((c) => c.notificationsWrong),
    faultsNeverMet: count((c) => c.faultNotReached),
    repairsNeeded: count((c) => c.convergedBeforeRepair === false),
    repairLoopMissing: count((c) => c.repairLoop === 'missing'),
  };
}
