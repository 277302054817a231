/** What one case of the reliability suite observed: the raw material of the figures in docs/reliability.md. */
export interface CaseFigures {
  readonly suite: 'matrix' | 'crash';
  readonly id: string;
  readonly service?: string;
  readonly operation?: string;
  readonly scenario?: string;
  readonly kind?: string;
  readonly persistence?: string;
  readonly timing?: string;
  readonly door?: string;
  /** Crash cases: the phase the process was killed in. */
  readonly phase?: string;
  /** Calls that met the injected fault (all callers: fledge, the doors, the traffic). */
  readonly faultsTaken: number;
  /**
   * The deployment's final status; without a record: `REFUSED` when the API answered the caller
   * with a refusal, `HANDED_OVER` when the dropped spec's event went to the failed-events
   * destination, `NONE` otherwise (lost).
   */
  readonly status: string;
  /** Why the deployment ended as it did (the record's reason), when it says. */
  readonly reason?: string;
  /** The fault-free outcome, when the case must end like it. */
  readonly expected?: string;
  readonly aliasSplit: boolean;
  readonly aliasDisagrees: boolean;
  readonly lost: boolean;
  readonly outcomeChanged: boolean;
  readonly lockHeld: boolean;
  readonly historyMissing: boolean;
  readonly notificationsWrong: boolean;
  readonly faultNotReached: boolean;
  /** Whether everything already held once the fault was cleared, before the repair loop ran. */
  readonly convergedBeforeRepair?: boolean;
  /** When it had not: the repair loop ran, or its entry point does not exist. */
  readonly repairLoop?: 'ran' | 'missing';
  /** Every invariant the case broke, in words; empty when it passed. */
  readonly problems: readonly string[];
  /** What the doors answered along the way, when it is worth knowing (a refusal, …). */
  readonly notes?: readonly string[];
  /** Real seconds the case took. */
  readonly seconds: number;
  /**
   * Matrix cases: CPU seconds its shard's process used meanwhile — fledge, the embedded AWS and
   * its Lambda worker threads, the suite itself (what the case costs a core; the rest is waiting).
   */
  readonly cpuSeconds?: number;
}

declare module 'vitest' {
  interface TaskMeta {
    reliability?: CaseFigures;
  }
}
