import { injectFault, listFaults, type FaultRequest } from '@fledge-local/embedded-aws';
import { startTraffic, type TrafficRun } from '../../../local/traffic';
import { isTerminal } from '../../../shared/model/deployment';
import { START_GRACE_MS } from '../../../shared/domain/starter/expire';
import { decide, request, specKey, type DoorAnswer } from './doors';
import { FAULT_KINDS, faultShape, HELD } from './fault-kinds';
import type { CaseFigures } from './figures';
import { converged, judge, observe, type Expectation, type Judgement } from './invariants';
import type { MatrixCase } from './matrix';
import { runRepairLoop } from './repair';
import { SCENARIOS, type Scenario } from './scenarios';
import { aliasState, asyncInFlight, clearAll, executionStatus, notificationsOf, RELIABILITY_TIME_SCALE, simNow, watch, type ReliabilityWorld } from './world';

/**
 * The longest a door may take to start an execution, in simulated ms: as long as the repair loop
 * lets a deployment stay PENDING without one (START_GRACE_MS, 15 minutes; the S3 drop's trigger
 * is retried twice, 1 and 2 minutes apart). A case stops waiting as soon as nothing is left that
 * could start it ({@link CaseRun.nothingInFlight}): the window only bounds a hand-over that never
 * ends (Lambda's Invoke refused for good: S3 keeps trying for a day).
 */
const DOOR_WINDOW_MS = START_GRACE_MS;

/** How long the safety net may take to end a deployment after its execution, in simulated ms. */
const SETTLE_MS = 2 * 60_000;

/**
 * The longest a persistent fault outlasts the end of the execution, in simulated ms: past the
 * safety net's asynchronous retries (1 and 2 minutes apart). It is cleared sooner when nothing
 * is left that could meet it: the execution has ended and no asynchronous invocation of the
 * case (the drop's trigger, the safety net) is waiting for a retry.
 */
const HOLD_AFTER_END_MS = 4 * 60_000;

/**
 * Consecutive looks (one every {@link LOOK_MS}) that must find nothing in flight before a case
 * stops waiting: every asynchronous invocation is accepted in the same turn as what causes it
 * (the drop's PutObject, the execution's end), so one look would do; two rule out a look taken
 * between an answer and what follows it.
 */
const QUIET_LOOKS = 2;
const LOOK_MS = 50;

/** Real ms a case may take to reach the end of its execution, or the repair loop to converge. */
const DRIVE_DEADLINE_MS = 90_000;
const REPAIR_DEADLINE_MS = 30_000;

/** Simulated ms the repair loop has to converge once the fault is cleared: four of its 5-minute periods. */
const REPAIR_WITHIN_MS = 20 * 60_000;

/**
 * Invocations sent to the alias while it is split (the evidence each pause needs): one every 10
 * simulated seconds, whatever the clock's scale — 12 in a 2-minute pause, 6 of them to the new version.
 */
const TRAFFIC_RPS = 0.1 / RELIABILITY_TIME_SCALE;

/** CPU seconds this process (every thread of it) used since `start`. */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one case of the matrix: prepares the function, injects the fault before the door or at
 * the approval, requests the deployment through its door, plays the person (approves or rejects
 * every approval request through the API, retrying 503 as the API asks) and the production
 * traffic (while the alias is split), holds a persistent fault past the end of the execution,
 * clears it, comes back to the door when it was unavailable, runs the repair loop, then
 * observes everything and judges it. Never throws for a broken invariant: it returns them.
 */
export async function runCase(world: ReliabilityWorld, matrixCase: MatrixCase, functionName: string): Promise<CaseFigures> {
  const began = { real: performance.now(), cpu: process.cpuUsage() };
  const scenario = SCENARIOS[matrixCase.scenario];
  await scenario.prepare(world, functionName);
  const watcher = `${functionName}@reliability.fledge.local`;
  const unwatch = await watch(world, watcher);
  const run = new CaseRun(world, matrixCase, scenario, functionName, watcher);
  try {
    return await run.play(began);
  } finally {
    await run.cleanUp();
    await unwatch();
  }
}

class CaseRun {
  private readonly spec: string;
  private readonly fault: FaultRequest | undefined;
  private readonly decided = new Set<string>();
  /** What the doors answered that is worth knowing (a refusal may be right: access denied is final). */
  private readonly notes: string[] = [];
  /** The case could not be played to its end. */
  private readonly stuck: string[] = [];
  private injected = false;
  private sweptAtApproval = false;
  private traffic: TrafficRun | undefined;
  private answer: DoorAnswer | undefined;
  /** Simulated ms when the case began: asynchronous invocations accepted since are the case's own. */
  private beganSim = 0;

  constructor(
    private readonly world: ReliabilityWorld,
    private readonly matrixCase: MatrixCase,
    private readonly scenario: Scenario,
    private readonly functionName: string,
    /** The address that receives fledge's notifications for this case ({@link watch}). */
    private readonly watcher: string,
  ) {
    this.spec = scenario.spec(functionName);
    const { row, kind, persistence } = matrixCase;
    this.fault = row && kind !== 'none' ? { service: row.service, operation: row.operation, ...faultShape(row.service, kind, persistence) } : undefined;
  }

  async play(began: { readonly real: number; readonly cpu: NodeJS.CpuUsage }): Promise<CaseFigures> {
    const { matrixCase: c, world } = this;
    this.beganSim = await simNow(world.endpoint);
    if (c.timing === 'before') await this.inject();
    this.answer = await request(world, c.door, this.functionName, this.spec, `rel-${this.functionName}`);
    if (this.answer.state === 'refused') this.notes.push(`the API refused the deployment: ${this.answer.refusal ?? '?'}`);
    const id = this.answer.deploymentId;
    await this.drive(id);
    if (c.persistence === 'persistent') await this.holdPastRetries(id);
    await this.stopTraffic();
    const faultsTaken = await this.faultsTaken();
    await clearAll(world.endpoint);

    const expectation = (): Expectation => ({
      deploymentId: id,
      oldVersion: this.scenario.oldVersion,
      newVersion: this.scenario.newVersion,
      refusedAtDoor: this.answer?.state === 'refused',
      ...(this.mustKeepOutcome() ? { sameAs: this.scenario.baseline } : {}),
    });
    // The outage is over: a client told to try again comes back with the same request, and the
    // person answers what is still asked.
    if (this.answer.state === 'unavailable') this.answer = await request(world, c.door, this.functionName, this.spec, `rel-${this.functionName}`);
    if (c.persistence === 'persistent') await this.drive(id);
    await this.stopTraffic();
    await this.settle(id);
    // What the execution, the doors and the safety net did not finish is the repair loop's.
    const convergedBeforeRepair = converged(judge(await this.observe(id), expectation()));
    const repaired = convergedBeforeRepair ? undefined : await this.repair(id, expectation);

    const judgement: Judgement = judge(await this.observe(id), expectation());
    const faultNotReached = this.fault !== undefined && faultsTaken === 0;
    const problems = [...judgement.problems, ...(repaired?.problems ?? []), ...(faultNotReached ? [`the fault on ${c.row?.service}:${c.row?.operation} was never met (injected ${c.timing}): the table's scenario or timing is wrong`] : []), ...this.stuck];
    return {
      suite: 'matrix',
      id: c.id,
      ...(c.row ? { service: c.row.service, operation: c.row.operation } : {}),
      scenario: c.scenario,
      kind: c.kind,
      persistence: c.persistence,
      timing: c.timing,
      door: c.door,
      faultsTaken,
      status: judgement.status,
      ...(judgement.reason ? { reason: judgement.reason } : {}),
      ...(this.mustKeepOutcome() ? { expected: this.scenario.baseline } : {}),
      aliasSplit: judgement.aliasSplit,
      aliasDisagrees: judgement.aliasDisagrees,
      lost: judgement.lost,
      outcomeChanged: judgement.outcomeChanged,
      lockHeld: judgement.lockHeld,
      historyMissing: judgement.historyMissing,
      notificationsWrong: judgement.notificationsWrong,
      faultNotReached,
      convergedBeforeRepair,
      ...(repaired ? { repairLoop: repaired.loop } : {}),
      problems,
      ...(this.notes.length > 0 ? { notes: this.notes } : {}),
      seconds: (performance.now() - began.real) / 1000,
      cpuSeconds: cpuSecondsSince(began.cpu),
    };
  }

  /** Fault-free, and transient faults AWS's retries are for: the outcome must be the fault-free one. */
  private mustKeepOutcome(): boolean {
    const { kind, persistence } = this.matrixCase;
    return kind === 'none' || (persistence === 'transient' && FAULT_KINDS[kind].retryable);
  }

  private async inject(): Promise<void> {
    if (!this.fault || this.injected) return;
    await injectFault(this.world.endpoint, this.fault);
    this.injected = true;
  }

  /**
   * Until the execution has ended (or, when none started, the door's window has passed): sends
   * traffic while the alias is split, and answers every approval request — injecting a `during`
   * fault just before the first answer.
   */
  private async drive(id: string): Promise<void> {
    const { world } = this;
    const started = await simNow(world.endpoint);
    const deadline = Date.now() + DRIVE_DEADLINE_MS;
    let quietLooks = 0;
    for (;;) {
      const status = await executionStatus(world.endpoint, id);
      await this.trafficWhileSplit();
      for (const requested of (await notificationsOf(world.endpoint, id, this.watcher)).filter((n) => n.kind === 'approvalRequested' && n.approvalId && !this.decided.has(n.approvalId))) {
        if (this.matrixCase.timing === 'during') await this.inject();
        if (!this.sweptAtApproval) {
          // The repair loop's schedule fires while the deployment waits: it must leave a running
          // deployment alone, whatever fails around it.
          this.sweptAtApproval = true;
          const sweep = await runRepairLoop(world.lambda, await simNow(world.endpoint));
          if (sweep.kind !== 'ran') this.notes.push(`the repair loop at the approval: ${sweep.kind === 'missing' ? 'missing' : sweep.error}`);
        }
        const decision = await decide(world, id, requested.approvalId!, this.scenario.decision ?? 'approve');
        // Only 503s: the person tries again at the next look; anything else is an answer.
        if (decision.state !== 'unavailable') this.decided.add(requested.approvalId!);
        if (decision.state === 'refused') this.notes.push(`the API refused to ${this.scenario.decision ?? 'approve'} ${requested.approvalId}: ${decision.refusal ?? '?'}`);
      }
      if (status !== undefined && status !== 'RUNNING') return;
      // No execution: the door has given up once nothing that could start one is left (the
      // drop's trigger and its retries are asynchronous invocations; the API answered already).
      quietLooks = status === undefined && (await this.nothingInFlight()) ? quietLooks + 1 : 0;
      if (quietLooks >= QUIET_LOOKS) return;
      if (status === undefined && (await simNow(world.endpoint)) - started > DOOR_WINDOW_MS) return;
      if (Date.now() > deadline) {
        this.stuck.push(`the execution of ${id} was still ${status ?? 'not started'} after ${DRIVE_DEADLINE_MS / 1000} s of real time`);
        return;
      }
      await pause(LOOK_MS);
    }
  }

  /** No asynchronous invocation of this case is waiting to be handed over, retried or run. */
  private async nothingInFlight(): Promise<boolean> {
    return (await asyncInFlight(this.world.endpoint, this.beganSim)) === 0;
  }

  private async trafficWhileSplit(): Promise<void> {
    if (this.traffic) return;
    const alias = await aliasState(this.world.endpoint, this.functionName);
    if (alias && Object.keys(alias.weights).length > 0) {
      this.traffic = startTraffic({ client: this.world.lambda, functionName: this.functionName, alias: 'live', rps: TRAFFIC_RPS });
    }
  }

  private async stopTraffic(): Promise<void> {
    const traffic = this.traffic;
    this.traffic = undefined;
    await traffic?.stop().catch(() => undefined);
  }

  /**
   * Keeps a persistent fault until nothing is left that would retry into it — the execution has
   * ended and none of the case's asynchronous invocations (the drop's trigger, the safety net) is
   * waiting for an attempt — or for {@link HOLD_AFTER_END_MS}, whichever comes first.
   */
  private async holdPastRetries(id: string): Promise<void> {
    const until = (await simNow(this.world.endpoint)) + HOLD_AFTER_END_MS;
    let quietLooks = 0;
    while ((await simNow(this.world.endpoint)) < until) {
      const ended = (await executionStatus(this.world.endpoint, id)) !== 'RUNNING';
      quietLooks = ended && (await this.nothingInFlight()) ? quietLooks + 1 : 0;
      if (quietLooks >= QUIET_LOOKS) return;
      await pause(LOOK_MS);
    }
  }

  /** Calls that met the fault so far: what the rule has used of its count. */
  private async faultsTaken(): Promise<number> {
    if (!this.fault || !this.injected) return 0;
    const rule = (await listFaults(this.world.endpoint)).find((r) => r.service === this.fault?.service && r.operation === this.fault.operation);
    const count = this.fault.count ?? HELD;
    return count - (rule?.remaining ?? 0);
  }

  /**
   * After the execution: the record may still be ending (the safety net runs asynchronously, for
   * up to {@link SETTLE_MS}). Without an execution there is nothing that could still end it.
   */
  private async settle(id: string): Promise<void> {
    if ((await executionStatus(this.world.endpoint, id)) === undefined) return;
    const until = (await simNow(this.world.endpoint)) + SETTLE_MS;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await simNow(this.world.endpoint)) < until) {
      const record = await this.world.mode.plane.deps.store.getDeployment(id);
      if (record && isTerminal(record.status)) return;
      await pause(50);
    }
  }

  /**
   * Runs the repair loop, as its schedule would but more often, until every invariant it can
   * restore holds, for at most {@link REPAIR_WITHIN_MS} of simulated time: long enough for the
   * sweeper's own waits (5 minutes' grace after an execution, 15 minutes for a start that never
   * happened).
   */
  private async repair(id: string, expectation: () => Expectation): Promise<{ loop: 'ran' | 'missing'; problems: string[] }> {
    const until = (await simNow(this.world.endpoint)) + REPAIR_WITHIN_MS;
    const deadline = Date.now() + REPAIR_DEADLINE_MS;
    let failed: string | undefined;
    for (;;) {
      const outcome = await runRepairLoop(this.world.lambda, await simNow(this.world.endpoint));
      if (outcome.kind === 'missing') return { loop: 'missing', problems: ['the repair loop does not exist (no sweeper function to run after the fault cleared)'] };
      failed = outcome.kind === 'failed' ? outcome.error : undefined;
      if (converged(judge(await this.observe(id), expectation()))) break;
      if ((await simNow(this.world.endpoint)) > until || Date.now() > deadline) break;
      await pause(200);
    }
    return { loop: 'ran', problems: failed ? [`the repair loop failed: ${failed}`] : [] };
  }

  private observe(id: string) {
    const { plane } = this.world.mode;
    return observe({ endpoint: this.world.endpoint, store: plane.deps.store, failedEventsTopicArn: plane.failedEventsTopicArn, watcher: this.watcher }, id, this.functionName, this.matrixCase.door === 'drop' ? { dropKey: specKey(this.functionName) } : {});
  }

  async cleanUp(): Promise<void> {
    await this.stopTraffic();
    await clearAll(this.world.endpoint).catch(() => undefined);
  }
}
