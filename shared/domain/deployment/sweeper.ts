import type { EngineDeps } from './deps';
import { EXECUTION_ENDINGS } from './execution-endings';
import type { ExecutionStatus } from '../../ports/orchestrator';
import { settle, type Finished } from './finish';
import type { DeploymentRecord, DeploymentStatus } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import { OPEN_STATUSES } from './record';
import { repairFailed, repairOpen } from './repair';
import { actingIn } from './place';
import { isWaveRun, windDownWaves } from './waves';

/** The sweeper's ports; without `targets` and `waveRunner` (a test's), targets' deployments and wave runs are not its to repair. */
type Deps = Pick<EngineDeps, 'lambda' | 'health' | 'store' | 'notifier' | 'clock' | 'orchestrator'> & Partial<Pick<EngineDeps, 'targets' | 'waveRunner'>>;

/** How the sweeper decides (all in ms of the engine's clock). */
export interface SweepOptions {
  /**
   * How long after an execution ended its deployment is left to the safety net and the
   * execution's own retries; and how long after an ending its side effects (its settling mark,
   * the lock it holds) are left to whoever ended it, who is retrying them.
   */
  readonly graceMs: number;
  /** How far past its deadline a still-running execution is taken over (a bug or a stuck execution). */
  readonly overdueMs: number;
  /**
   * Settles a `PENDING` deployment that has no execution — a start AWS kept failing, or the
   * placeholder of a drop that could not be read — by the starter's own rule (its start deadline,
   * then REJECTED: see `expireStalledStart`), so that a retry of the start is not cut short.
   * Without it such a deployment is ended like any other open one, `graceMs` after its last update.
   */
  readonly stalledStart?: (record: DeploymentRecord) => Promise<{ readonly kind: 'open' | 'started' | 'expired' }>;
}

/** The defaults: a few minutes for the safety net, a day for an execution past its deadline. */
export const SWEEP_DEFAULTS: SweepOptions = { graceMs: 5 * 60_000, overdueMs: 24 * 3_600_000 };

/** What one sweep did with one deployment. */
export interface SweepAction {
  readonly deploymentId: string;
  /** `SUCCEEDED`, `ROLLED_BACK`, `DRIFTED` (ended or repaired), `settled`, `lock released`, `left alone`, … */
  readonly did: string;
  /** Side effects still to do; the next sweep tries again. */
  readonly pending?: readonly string[];
}

/** What a sweep did. Failures are per deployment: one that fails does not stop the others. */
export interface SweepReport {
  readonly actions: readonly SweepAction[];
  readonly failures: readonly { readonly deploymentId: string; readonly error: string }[];
}

/** Pages of each listing read per sweep: open and FAILED deployments are few; this bounds a surprise. */
const MAX_PAGES = 20;

/**
 * The repair loop, run on a schedule (every 5 minutes on AWS, on the simulated clock locally).
 * It finishes what outages left, once AWS answers again:
 *
 * 1. every open deployment (PENDING, RUNNING, AWAITING_APPROVAL) whose execution has ended (or
 *    never started) more than `graceMs` ago, or is still running `overdueMs` past the deadline:
 *    the promotion it made is recorded, anything else is rolled back from the record's snapshot
 *    (guarded by the alias revision: an alias someone else changed is left alone, DRIFTED);
 * 2. every FAILED deployment not yet repaired: the rollback is finished when the alias is still
 *    split as fledge left it (see {@link repairFailed});
 * 3. every ending marked as still settling, and every lock held by a deployment that has
 *    ended, `graceMs` after the ending: what the ending left (lock, history, notification,
 *    alarm, approval) is done — the notification once, however many finishers are at it (see
 *    {@link settle}).
 *
 * A wave run whose own execution (the wave runner's) has ended without ending it is wound down in
 * its place: nothing more starts, the targets in flight are asked to stop, and once none runs the
 * promoted ones are rolled back (as the spec says) and the run ends — a step per sweep. A target's
 * deployment is repaired in its target, with its role (see {@link actingIn}).
 *
 * A deployment whose execution is still running is never touched before `overdueMs`. Every
 * step is idempotent and conditional, so sweeps may overlap each other, the safety net, and
 * executions that outlive their end.
 */
export async function sweep(deps: Deps, options: SweepOptions = SWEEP_DEFAULTS): Promise<SweepReport> {
  const actions: SweepAction[] = [];
  const failures: { deploymentId: string; error: string }[] = [];
  const handled = new Set<string>();
  const attempt = async (deploymentId: string, work: () => Promise<SweepAction | undefined>): Promise<void> => {
    // Once per sweep: a deployment may be on several lists (open, settling mark, lock).
    if (handled.has(deploymentId)) return;
    handled.add(deploymentId);
    try {
      const action = await work();
      if (action) actions.push(action);
    } catch (error) {
      failures.push({ deploymentId, error: (error as Error).message });
    }
  };
  for (const status of OPEN_STATUSES) {
    for (const record of await listAll(deps, status)) await attempt(record.deploymentId, () => (isWaveRun(record) ? sweepWaveRun(deps, record, options) : sweepOpen(deps, record, options)));
  }
  for (const record of await listAll(deps, 'FAILED')) {
    if (record.repairedAt !== undefined) continue;
    await attempt(record.deploymentId, async () => {
      // The listing may be stale: a concurrent repairer (another sweep, the safety net) may have
      // ended or repaired it since. Its ending is then left to that repairer, and to the settling
      // pass after the grace period, never repaired a second time.
      const current = await deps.store.getDeployment(record.deploymentId);
      if (!current || current.status !== 'FAILED' || current.repairedAt !== undefined) return undefined;
      const here = await actingIn(deps, current);
      // The failure's own ending first (its event, its one notification): the repair replaces it.
      await settle(here, current).catch(() => undefined);
      const repaired = await repairFailed(here, current, 'sweeper');
      return done(record.deploymentId, repaired.finished, repaired.kind === 'restored' ? 'ROLLED_BACK' : repaired.kind === 'drifted' ? 'DRIFTED' : repaired.kind === 'superseded' ? 'alias left to the deployment that took it over' : `alias ${repaired.kind}, lock released`);
    });
  }
  const now = deps.clock.now();
  // A fresh ending is being settled by whoever ended it (a task and its retries, the safety net):
  // settling it at the same time would only compete with them.
  const fresh = (at: number | undefined) => at !== undefined && now < at + options.graceMs;
  for (const mark of await deps.store.listSettling()) {
    if (fresh(mark.at)) continue;
    await attempt(mark.deploymentId, async () => {
      const record = await deps.store.getDeployment(mark.deploymentId);
      if (!record || !isTerminal(record.status)) {
        // Gone, or open again only in a hand-edited table: nothing of an ending to complete.
        if (!record) await deps.store.markSettled(mark.deploymentId);
        return undefined;
      }
      return done(mark.deploymentId, await settle(await actingIn(deps, record), record), 'settled');
    });
  }
  for (const lock of await deps.store.listLocks()) {
    await attempt(lock.holder, async () => {
      const holder = await deps.store.getDeployment(lock.holder);
      if (!holder) {
        // Prepare writes the record before it takes the lock: a lock without one is left over.
        await deps.store.releaseLock(lock.functionName, lock.alias, lock.holder);
        return { deploymentId: lock.holder, did: 'lock released (no such deployment)' };
      }
      // Open and FAILED ones were swept above (a FAILED one keeps its lock until its alias is repaired).
      if (!isTerminal(holder.status) || holder.status === 'FAILED' || fresh(holder.ending?.at)) return undefined;
      return done(holder.deploymentId, await settle(await actingIn(deps, holder), holder), 'settled');
    });
  }
  return { actions, failures };
}

/** `known`: the execution already looked for (`null`: there is none), as a wave run's sweep passes it. */
async function sweepOpen(deps: Deps, record: DeploymentRecord, options: SweepOptions, known?: ExecutionStatus | null): Promise<SweepAction | undefined> {
  const now = deps.clock.now();
  // A group's member runs in its group's execution.
  const execution = known === undefined ? await deps.orchestrator.describeExecution(record.groupId ?? record.deploymentId) : (known ?? undefined);
  const deadline = record.deadline ?? record.createdAt + record.spec.timeout * 1000;
  if (execution?.status === 'RUNNING' || execution?.status === 'PENDING_REDRIVE') {
    if (now <= deadline + options.overdueMs) return undefined;
    const late = `the execution was still running ${Math.round((now - deadline) / 60_000)} minutes past the deployment's deadline`;
    return done(record.deploymentId, await repairOpen(await actingIn(deps, record), record.deploymentId, { by: 'sweeper', reason: late }));
  }
  if (!execution && record.status === 'PENDING' && options.stalledStart) {
    const stalled = await options.stalledStart(record);
    if (stalled.kind === 'open') return undefined;
    return { deploymentId: record.deploymentId, did: stalled.kind === 'expired' ? 'REJECTED: never started' : 'found its execution' };
  }
  const since = execution ? (execution.stopDate ?? now) : record.updatedAt;
  if (now < since + options.graceMs) return undefined;
  const reason = execution ? `the execution ended ${execution.status} without recording the outcome` : 'no execution ran for this deployment';
  const end = {
    promoted: execution?.status === 'SUCCEEDED',
    refused: execution?.error === EXECUTION_ENDINGS.rejected,
    // Its RollbackFailed task completed: it could not record the outcome, so it told people.
    reported: execution?.status === 'FAILED' && execution.error === EXECUTION_ENDINGS.rollbackFailed,
  };
  // Only now, with something to repair, where the deployment lives (a target's: the run's spec read, its role assumed).
  return done(record.deploymentId, await repairOpen(await actingIn(deps, record), record.deploymentId, { by: 'sweeper', reason, ...end }));
}

/**
 * A wave run: left to its runner while the runner's execution runs (its own 30-day cap bounds it);
 * `graceMs` after that execution ended (or, never started, after the record's last change) without
 * ending the run, one step of winding it down (see `windDownWaves`). A run that never got as far as
 * its targets changed nothing, and ends like any open deployment without an execution.
 */
async function sweepWaveRun(deps: Deps, record: DeploymentRecord, options: SweepOptions): Promise<SweepAction | undefined> {
  const { waveRunner, targets } = deps;
  if (waveRunner === undefined || targets === undefined) throw new Error(`wave run ${record.deploymentId}: this sweeper has no access to the wave runner or the targets`);
  const now = deps.clock.now();
  const execution = await waveRunner.describeExecution(record.deploymentId);
  if (execution?.status === 'RUNNING' || execution?.status === 'PENDING_REDRIVE') return undefined;
  if (record.waves === undefined) return sweepOpen(deps, record, options, execution ?? null);
  const since = execution ? (execution.stopDate ?? now) : record.updatedAt;
  if (now < since + options.graceMs) return undefined;
  const reason = execution ? `the wave runner's execution ended ${execution.status} without ending the run` : 'no wave runner ran for this run';
  const step = await windDownWaves({ ...deps, targets }, record.deploymentId, reason);
  return { deploymentId: record.deploymentId, did: step.done ? step.status : 'targets in flight asked to stop' };
}

function done(deploymentId: string, finished: Finished | undefined, did?: string): SweepAction {
  const pending = finished?.pending ?? [];
  return { deploymentId, did: did ?? finished?.status ?? 'left alone', ...(pending.length > 0 ? { pending } : {}) };
}

async function listAll(deps: Pick<EngineDeps, 'store'>, status: DeploymentStatus): Promise<DeploymentRecord[]> {
  const records: DeploymentRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const out = await deps.store.listDeployments({ status, limit: 100, ...(cursor ? { cursor } : {}) });
    records.push(...out.items);
    cursor = out.cursor;
    if (!cursor) break;
  }
  return records;
}
