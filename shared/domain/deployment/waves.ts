import { pendingRecord } from './record';
import type { EngineDeps } from './deps';
import type { TargetAccess } from '../../ports/targets';
import { DeploymentFinishedError, DeploymentRefusedError, TargetAccessDeniedError } from '../../model/engine-errors';
import type { DeploymentRecord, DeploymentStatus, ExecutionInput, PromotionEvidence, WaveTargetRecord } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import type { DeploymentSpec, TargetSpec } from '../../model/spec';
import { event } from './events';
import { factsOf, finish } from './finish';
import { requestStop } from './controls';
import { readyTargets, wavesOf, type TargetProgress } from '../spec/waves';
import { sameRouting } from './routing';

/*
 * A wave run: the parent of one ordinary deployment per target of the spec (each run by the
 * deployment state machine with the target's credentials, its record naming `parentId` and
 * `target`). The parent starts a target when every target it depends on succeeded, stops the
 * ones in flight when one fails, and rolls back the promoted ones when the spec says so.
 */

/** The ports a wave run takes. */
export type WaveDeps = Pick<EngineDeps, 'store' | 'orchestrator' | 'notifier' | 'clock'> & { readonly targets: TargetAccess };

/** Who the wave runner acts as in the history (stops of targets in flight). */
const RUNNER = 'fledge (wave run)';

/** The deployment id of one target's deployment: the parent's id and the target's, within the 80 characters of an execution name. */
export function targetDeploymentId(parentId: string, targetId: string): string {
  return `${parentId.slice(0, 80 - targetId.length - 2)}--${targetId}`;
}

/** A target's own spec: the parent's, without the targets (it deploys to one place). */
function targetSpecOf(spec: DeploymentSpec): DeploymentSpec {
  const { targets: _targets, rollbackPromotedWaves: _rollback, ...own } = spec;
  return own;
}

/** How far a target's deployment has come, from its record's status. */
function progressOf(status: DeploymentStatus | 'NOT_STARTED' | undefined): TargetProgress {
  if (status === undefined || status === 'NOT_STARTED') return 'notStarted';
  if (status === 'SUCCEEDED' || status === 'NO_CHANGE') return 'succeeded';
  if (status === 'PENDING' || status === 'RUNNING' || status === 'AWAITING_APPROVAL') return 'running';
  return 'failed';
}

/**
 * Starts a wave run: records the parent deployment, then — before anything moves — assumes every
 * target's role and reads the function there (it must exist, or the spec must say how to create
 * it). A target that cannot be reached refuses the whole run (`REJECTED`, the targets named, one
 * notification) with {@link DeploymentRefusedError}: no target's deployment is started.
 * Safe to retry: the record is created once, and a run already past its checks is returned as it is.
 */
export async function startWaves(deps: WaveDeps, input: ExecutionInput): Promise<DeploymentRecord> {
  const { store, clock, targets } = deps;
  const { deploymentId, spec } = input;
  const ordered = spec.targets ?? [];
  if (ordered.length === 0) throw new DeploymentRefusedError(`deployment ${deploymentId} has no targets: it is an ordinary deployment, not a wave run`);
  const now = clock.now();
  const record = await store.createDeployment(pendingRecord(input, now));
  if (isTerminal(record.status)) throw new DeploymentFinishedError(`deployment ${deploymentId} already ended ${record.status}`);
  if (record.status === 'RUNNING') return record;

  const problems: string[] = [];
  for (const target of ordered) {
    const problem = await reachProblem(targets, spec, target);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) {
    const reason = `refused before anything moved: ${problems.join('; ')}`;
    await finish(deps, record, {
      status: 'REJECTED',
      from: ['PENDING'],
      reason,
      eventKind: 'rejected',
      message: `wave run of ${spec.function.name}:${spec.alias} refused: ${problems.join('; ')}`,
      notification: { kind: 'rejected', ...factsOf(record), targets: ordered.map((target) => ({ id: target.id, accountId: target.accountId, region: target.region, status: 'NOT_STARTED' })), reason },
    });
    throw new DeploymentRefusedError(reason);
  }
  const waves: WaveTargetRecord[] = ordered.map((target) => ({ id: target.id, accountId: target.accountId, region: target.region, deploymentId: targetDeploymentId(deploymentId, target.id), status: 'NOT_STARTED' }));
  const started = await store.updateDeployment(deploymentId, { status: 'RUNNING', startedAt: now, waves }, { onlyIfStatusIn: ['PENDING'] });
  const plan = wavesOf(ordered).map((wave) => wave.map((target) => target.id).join(' + ')).join(', then ');
  await store.appendEvent(event(deploymentId, 'started', 'started', now, `wave run of ${spec.function.name}:${spec.alias} started by ${input.startedBy} (${input.source}): ${plan}`, { waves: wavesOf(ordered).map((wave) => wave.map((target) => target.id)) }));
  return started ?? record;
}

/** Why `target` cannot be deployed to, or undefined when it can. */
async function reachProblem(targets: TargetAccess, spec: DeploymentSpec, target: TargetSpec): Promise<string | undefined> {
  const where = `target ${target.id} (account ${target.accountId}, ${target.region})`;
  try {
    await targets.verify(target);
    const fn = await targets.portsFor(target).lambda.getFunction(spec.function.name);
    const creatable = spec.configuration?.role !== undefined && (spec.artifact.kind === 'image' || (spec.configuration.runtime !== undefined && spec.configuration.handler !== undefined));
    if (fn === undefined && !creatable) return `${where}: function ${spec.function.name} does not exist there, and the spec does not say how to create it (configuration.role, runtime, handler)`;
    return undefined;
  } catch (error) {
    if (error instanceof TargetAccessDeniedError) return error.message;
    return `${where}: ${(error as Error).message}`;
  }
}

/** What one step of a wave run did: still going, or how it ended. */
export type WaveStep = { readonly done: false; readonly started: readonly string[] } | { readonly done: true; readonly status: DeploymentStatus };

/**
 * One step of a wave run (the wave runner calls it until it is done): reads every target's
 * deployment; with none failed, starts each target whose dependencies all succeeded, and ends the
 * run `SUCCEEDED` when every target has; once one failed, winds the run down ({@link windDown}).
 * Safe to repeat: starting an execution twice, a stop asked twice and a rollback already done
 * change nothing.
 */
export async function advanceWaves(deps: WaveDeps, parentId: string): Promise<WaveStep> {
  const run = await readRun(deps, parentId);
  if ('ended' in run) return run.ended;
  const { parent, targets, progress } = run;
  const failed = failureOf(run);
  if (failed !== undefined) return windDown(deps, run, failed);

  const ready = readyTargets(targets, progress);
  for (const target of ready) {
    const deploymentId = targetDeploymentId(parentId, target.id);
    await deps.orchestrator.startExecution({
      name: deploymentId,
      input: { deploymentId, spec: targetSpecOf(parent.spec), artifact: parent.artifact, startedBy: parent.startedBy, source: parent.source, target, parentId } satisfies ExecutionInput,
    });
  }
  if (ready.length === 0 && everySucceeded(run)) return endSucceeded(deps, run);
  const waves = standing(run).map((wave) => (ready.some((target) => target.id === wave.id) ? { ...wave, status: 'PENDING' as const } : wave));
  await deps.store.updateDeployment(parentId, { waves });
  return { done: false, started: ready.map((target) => target.id) };
}

/** The ports winding a run down takes: starting nothing, it needs of Step Functions only to fail a pending approval. */
export type WindDownDeps = Omit<WaveDeps, 'orchestrator'> & { readonly orchestrator: Pick<WaveDeps['orchestrator'], 'sendTaskFailure'> };

/**
 * One step of winding down a wave run whose own execution (the wave runner's) ended without
 * ending it — the repair loop calls it in the runner's place: nothing more starts, and the run
 * ends as after a target's failure ({@link windDown}), for `reason` unless a target failed first.
 * A run whose every target had already succeeded ends `SUCCEEDED`: a runner lost after the last
 * wave never undoes a healthy release.
 */
export async function windDownWaves(deps: WindDownDeps, parentId: string, reason: string): Promise<WaveStep> {
  const run = await readRun(deps, parentId);
  if ('ended' in run) return run.ended;
  const failed = failureOf(run);
  if (failed === undefined && everySucceeded(run)) return endSucceeded(deps, run);
  return windDown(deps, run, failed ?? reason);
}

function everySucceeded(run: Run): boolean {
  return run.targets.every((target) => run.progress(target.id) === 'succeeded');
}

/** Every target promoted: the run ends SUCCEEDED, told once naming every target (each target's deployment told of its own). */
async function endSucceeded(deps: Pick<WaveDeps, 'store' | 'notifier' | 'clock'>, run: Run): Promise<WaveStep> {
  const { parent, targets, children } = run;
  const waves = standing(run);
  await deps.store.updateDeployment(parent.deploymentId, { waves });
  const ending = await finish(deps, { ...parent, waves }, {
    status: 'SUCCEEDED',
    eventKind: 'promoted',
    message: `every target promoted: ${targets.map((target) => target.id).join(', ')}`,
    data: { targets: waves },
    notification: { kind: 'promoted', ...runFacts(parent, waves, children), evidence: runEvidence(children) },
  });
  return { done: true, status: ending.status };
}

/** The run's waves, each with its target's status as this step read it. */
function standing(run: Run): WaveTargetRecord[] {
  return record(run.parent, (wave) => ({ ...wave, status: run.statusOf(wave.id) }));
}

/** A wave run as one step reads it: the parent, and each started target's deployment. */
interface Run {
  readonly parent: DeploymentRecord;
  readonly targets: readonly TargetSpec[];
  readonly children: ReadonlyMap<string, DeploymentRecord | undefined>;
  readonly statusOf: (id: string) => DeploymentStatus | 'NOT_STARTED';
  readonly progress: (id: string) => TargetProgress;
}

async function readRun(deps: Pick<WaveDeps, 'store'>, parentId: string): Promise<Run | { readonly ended: WaveStep }> {
  const parent = await deps.store.getDeployment(parentId);
  if (!parent?.waves || !parent.spec.targets) throw new DeploymentRefusedError(`deployment ${parentId} is not a wave run that has started`);
  if (isTerminal(parent.status)) return { ended: { done: true, status: parent.status } };
  const children = new Map<string, DeploymentRecord | undefined>();
  for (const wave of parent.waves) children.set(wave.id, wave.status === 'NOT_STARTED' ? undefined : await deps.store.getDeployment(wave.deploymentId));
  const statusOf = (id: string): DeploymentStatus | 'NOT_STARTED' => {
    const wave = parent.waves?.find((one) => one.id === id);
    if (!wave || wave.status === 'NOT_STARTED') return 'NOT_STARTED';
    return children.get(id)?.status ?? 'PENDING';
  };
  return { parent, targets: parent.spec.targets, children, statusOf, progress: (id) => progressOf(statusOf(id)) };
}

/** The first failed target, said as the run's reason. */
function failureOf(run: Run): string | undefined {
  const failed = run.targets.find((target) => run.progress(target.id) === 'failed');
  if (failed === undefined) return undefined;
  const reason = run.children.get(failed.id)?.reason;
  return `target ${failed.id} (account ${failed.accountId}, ${failed.region}) ended ${run.statusOf(failed.id)}${reason ? `: ${reason}` : ''}`;
}

/**
 * After a failure nothing more starts: the targets in flight are asked to stop (they roll back on
 * their own), and when none is left running the promoted ones are rolled back (with
 * `rollbackPromotedWaves`, the default), the never-started ones recorded, and the run ends
 * `ROLLED_BACK` with the reason.
 */
async function windDown(deps: WindDownDeps, run: Run, failure: string): Promise<WaveStep> {
  const { store } = deps;
  const { parent, targets, children, statusOf, progress } = run;
  const running = targets.filter((target) => progress(target.id) === 'running');
  for (const target of running) {
    try {
      await requestStop(deps, { deploymentId: targetDeploymentId(parent.deploymentId, target.id), by: RUNNER, reason: failure });
    } catch (error) {
      if (!(error instanceof DeploymentFinishedError)) throw error;
    }
  }
  if (running.length > 0) {
    await store.updateDeployment(parent.deploymentId, { waves: standing(run) });
    return { done: false, started: [] };
  }
  const rollBackPromoted = parent.spec.rollbackPromotedWaves ?? true;
  const kept: string[] = [];
  for (const target of targets.filter((one) => progress(one.id) === 'succeeded')) {
    const child = children.get(target.id);
    if (!child) continue;
    if (rollBackPromoted) await rollBackPromotedTarget(deps, target, child, `wave rolled back because ${failure}`);
    else kept.push(target.id);
  }
  const after = new Map<string, DeploymentRecord | undefined>();
  for (const [id, child] of children) after.set(id, child === undefined ? undefined : await store.getDeployment(child.deploymentId));
  const waves = record(parent, (wave) =>
    wave.status === 'NOT_STARTED'
      ? { ...wave, reason: `never started: ${failure}` }
      : { ...wave, status: after.get(wave.id)?.status ?? statusOf(wave.id), ...(after.get(wave.id)?.reason !== undefined && { reason: after.get(wave.id)?.reason }) },
  );
  await store.updateDeployment(parent.deploymentId, { waves });
  const reason = `${failure}${kept.length > 0 ? `; promoted targets kept (rollbackPromotedWaves: false): ${kept.join(', ')}` : ''}`;
  const ending = await finish(deps, { ...parent, waves }, {
    status: 'ROLLED_BACK',
    reason,
    eventKind: 'rolledBack',
    message: `wave run rolled back: ${reason}`,
    data: { targets: waves },
    notification: { kind: 'rolledBack', ...runFacts(parent, waves, after), reason },
  });
  return { done: true, status: ending.status };
}

/** Whether `record` is a wave run's own record (the parent of its targets' deployments). */
export function isWaveRun(record: DeploymentRecord): boolean {
  return record.target === undefined && (record.spec.targets?.length ?? 0) > 0;
}

/** The facts of a wave run's notification: the run's, and every target with its versions and status. */
function runFacts(parent: DeploymentRecord, waves: readonly WaveTargetRecord[], children: ReadonlyMap<string, DeploymentRecord | undefined>) {
  return {
    ...factsOf(parent),
    targets: waves.map((wave) => {
      const child = children.get(wave.id);
      return {
        id: wave.id,
        accountId: wave.accountId,
        region: wave.region,
        status: child?.status ?? wave.status,
        ...(child?.newVersion ? { newVersion: child.newVersion } : {}),
        ...(child?.snapshot?.alias ? { previousVersion: child.snapshot.alias.version } : {}),
      };
    }),
  };
}

/**
 * What a promoted wave run was promoted on: every target's evidence together — the invocations
 * and checks of all, the smallest requirement any pause had, the versions published (one per
 * target's account and region, so they may differ).
 */
function runEvidence(children: ReadonlyMap<string, DeploymentRecord | undefined>): PromotionEvidence {
  const all = [...children.values()].flatMap((child) => (child?.evidence ? [child.evidence] : []));
  const versions = [...new Set([...children.values()].flatMap((child) => (child?.newVersion ? [child.newVersion] : [])))];
  return {
    version: versions.join(', ') || '?',
    invocations: all.reduce((sum, one) => sum + one.invocations, 0),
    minInvocations: all.length > 0 ? Math.min(...all.map((one) => one.minInvocations)) : 0,
    checks: all.reduce((sum, one) => sum + one.checks, 0),
    shortSteps: all.reduce((sum, one) => sum + one.shortSteps, 0),
  };
}

function record(parent: DeploymentRecord, change: (wave: WaveTargetRecord) => WaveTargetRecord): WaveTargetRecord[] {
  return (parent.waves ?? []).map(change);
}

/**
 * Puts a promoted target's alias back on the version it served before (or deletes the alias its
 * deployment created), guarded by the alias's revision: an alias someone changed since the
 * promotion is left alone and said so. Ends the target's deployment `ROLLED_BACK` with `reason`.
 * Safe to repeat: an alias already back changes nothing, and the status is written once.
 */
export async function rollBackPromotedTarget(deps: Pick<WaveDeps, 'targets' | 'store' | 'notifier' | 'clock'>, target: TargetSpec, child: DeploymentRecord, reason: string): Promise<void> {
  const { lambda } = deps.targets.portsFor(target);
  const before = child.snapshot?.alias ?? null;
  const current = (await lambda.getAlias(child.functionName, child.alias)) ?? null;
  const promoted = child.newVersion !== undefined && current !== null && sameRouting(current, { version: child.newVersion, weights: {} });
  let outcome = 'already back';
  if (promoted && current) {
    if (before === null) await lambda.deleteAlias(child.functionName, child.alias);
    else await lambda.updateAlias({ functionName: child.functionName, alias: child.alias, routing: { version: before.version, weights: {} }, revisionId: current.revisionId });
    outcome = before === null ? 'alias deleted (it did not exist before)' : `back on version ${before.version}`;
  } else if (current !== null && before !== null && !sameRouting(current, { version: before.version, weights: {} })) {
    outcome = `left alone: someone else changed it since the promotion`;
  }
  await finish(deps, child, {
    status: 'ROLLED_BACK',
    from: ['SUCCEEDED', 'NO_CHANGE'],
    reason,
    eventKind: 'rolledBack',
    eventKey: 'wave-rollback',
    message: `promoted version rolled back (${outcome}): ${reason}`,
    notification: { kind: 'rolledBack', ...factsOf(child), reason },
  });
}

/** The wave runner's state: the run's input, and what its last step did. */
export type WaveRunState = ExecutionInput & { readonly waveStep?: WaveStep };

/** The StartWaves task: {@link startWaves}, passing the state on. */
export async function startWavesTask(deps: WaveDeps, state: WaveRunState): Promise<WaveRunState> {
  await startWaves(deps, state);
  return state;
}

/** The AdvanceWaves task: {@link advanceWaves}, its step in the state for the Choice that follows. */
export async function advanceWavesTask(deps: WaveDeps, state: WaveRunState): Promise<WaveRunState> {
  return { ...state, waveStep: await advanceWaves(deps, state.deploymentId) };
}
