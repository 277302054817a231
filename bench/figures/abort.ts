import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { startTraffic } from '../../local/traffic';
import { breakMidBake } from '../lib/break-mid-bake';
import { median, round } from '../lib/stats';
import type { Figure } from '../lib/result';
import { benchCode, benchSpec, deploymentId, executionEnd, existingFunction, startDeployment, startWorld, uploadArtifact, type BenchWorld } from '../lib/world';

/*
 * Figure: event-driven abort. The same run twice — a canary at 20% with fledge's error-rate alarm
 * on the new version, checked every 5 minutes, under steady traffic; the new version starts
 * failing at a moment spread over the check interval — once as `fledge local` wires it (the
 * alarm's state change reaches the abort function through the embedded EventBridge), once with
 * the abort rule's target removed (polling only: the next scheduled check notices).
 *
 * Real-time equivalent, as in the reaction figure: the simulated wait until fledge could act (the
 * alarm's evaluation with the abort; the check that caught it when polling) + the real ms of code
 * from that moment to the alias wholly restored (the event's delivery, the abort's rollback; or the
 * Check, AfterCheck and Rollback tasks).
 */

const TIME_SCALE = 0.01;
const CHECK_INTERVAL = 300;
const CANARY_PERCENT = 20;
const RPS = 200;
const EVALUATION_INTERVAL = 10;
/** The target's "+ 2 s": code from the alarm's change to the alias restored. */
const CODE_TARGET_MS = 2000;

type Mode = 'abort' | 'polling';

interface Run {
  readonly mode: Mode;
  readonly phase: number;
  readonly rolledBack: boolean;
  /** Simulated s from the failure to the alarm's ALARM (its evaluation delay), when it changed before the alias was restored. */
  readonly alarmDelaySimS: number | null;
  /** Simulated s from the failure to the moment fledge acted: the alarm's change (abort) or the check that caught it (polling). */
  readonly waitSimS: number;
  /** Real ms from that moment to the alias wholly on version 1. */
  readonly codeRealMs: number;
  readonly realTimeEquivalentS: number;
  readonly reactionSimS: number;
}

async function oneRun(world: BenchWorld, mode: Mode, index: number, phase: number): Promise<Run> {
  const name = `bench-abort-${mode}-${index}`;
  const flag = join(tmpdir(), `fledge-bench-abort-${process.pid}-${mode}-${index}`);
  rmSync(flag, { force: true });
  await existingFunction(world, name, benchCode('v1'));
  const traffic = startTraffic({ client: world.lambda, functionName: name, alias: 'live', rps: RPS, maxInFlight: 16 });
  try {
    const id = deploymentId(`abort-${mode}-${index}`);
    const spec = benchSpec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: CANARY_PERCENT }, { type: 'pause', duration: 3600 }] }, { checkInterval: CHECK_INTERVAL, errorRate: { thresholdPercent: 5, minInvocations: 5 } });
    const arn = await startDeployment(world, id, spec, await uploadArtifact(world, `${name}/v2.zip`, benchCode('v2', flag)));
    const { onsetReal, onsetSim, restoredReal, restoredSim } = await breakMidBake(world, { deploymentId: id, name, flag, checkIntervalS: CHECK_INTERVAL, phase });
    await executionEnd(world, arn);
    const record = await world.plane.deps.store.getDeployment(id);
    const history = await world.plane.deps.store.listEvents(id);
    // The alarm's change: named in the abort's reason; a check that found it red records its time.
    const abortedAt = /went to ALARM at (\S+)$/.exec(record?.reason ?? '')?.[1];
    const alarmAt = abortedAt ? Date.parse(abortedAt) : undefined;
    const caughtBy = history.filter((event) => event.kind === 'check' && event.data?.verdict === 'unhealthy').at(-1)?.at;
    const actedAt = mode === 'abort' && alarmAt !== undefined ? alarmAt : (caughtBy ?? restoredSim);
    const waitSimS = Math.max(0, actedAt - onsetSim) / 1000;
    const actedReal = onsetReal + Math.max(0, actedAt - onsetSim) * TIME_SCALE;
    const codeRealMs = restoredReal - actedReal;
    return {
      mode,
      phase,
      rolledBack: record?.status === 'ROLLED_BACK',
      alarmDelaySimS: alarmAt === undefined ? null : Math.max(0, alarmAt - onsetSim) / 1000,
      waitSimS,
      codeRealMs,
      realTimeEquivalentS: waitSimS + codeRealMs / 1000,
      reactionSimS: (restoredSim - onsetSim) / 1000,
    };
  } finally {
    await traffic.stop();
    rmSync(flag, { force: true });
  }
}

export const abortFigure: Figure = {
  id: 'abort',
  title: 'Event-driven abort',
  async run({ quick }) {
    const runsPer = quick ? 2 : 4;
    const runs: Run[] = [];
    for (const mode of ['abort', 'polling'] as const) {
      const world = await startWorld(TIME_SCALE, { cloudwatch: { evaluationIntervalSeconds: EVALUATION_INTERVAL } });
      try {
        // Polling only: the alarm's events still flow, but the rule no longer delivers them to fledge.
        if (mode === 'polling') await world.plane.clients.events.send(new RemoveTargetsCommand({ Rule: 'fledge-alarm-abort', Ids: ['abort'] }));
        for (let k = 0; k < runsPer; k++) runs.push(await oneRun(world, mode, k, (k + 0.5) / runsPer));
      } finally {
        await world.stop();
      }
    }
    const of = (mode: Mode) => runs.filter((run) => run.mode === mode);
    const abort = of('abort');
    const polling = of('polling');
    const worstCode = Math.max(...abort.map((run) => run.codeRealMs));
    const delays = abort.map((run) => run.alarmDelaySimS ?? Number.NaN);
    const worstOverDelay = Math.max(...abort.map((run) => run.realTimeEquivalentS - (run.alarmDelaySimS ?? 0)));
    const rows = [
      {
        measure: `failure → alias wholly back with event-driven abort, check interval ${CHECK_INTERVAL} s (real-time equivalent; median / worst of ${abort.length})`,
        value: `${round(median(abort.map((run) => run.realTimeEquivalentS)), 1)} s / ${round(Math.max(...abort.map((run) => run.realTimeEquivalentS)), 1)} s, of which the alarm's evaluation delay ${round(median(delays), 1)} s / ${round(Math.max(...delays), 1)} s`,
        target: '≤ alarm evaluation delay + 2 s',
        pass: worstOverDelay <= CODE_TARGET_MS / 1000 && abort.every((run) => run.rolledBack && run.alarmDelaySimS !== null),
      },
      {
        measure: `same run, polling only (the abort rule's target removed): median / worst of ${polling.length}`,
        value: `${round(median(polling.map((run) => run.realTimeEquivalentS)), 1)} s / ${round(Math.max(...polling.map((run) => run.realTimeEquivalentS)), 1)} s`,
        target: 'informational (≤ check interval + 1 s)',
      },
      {
        measure: 'of which code with the abort: alarm state change → event → abort → alias restored, real ms (median / worst)',
        value: `${Math.round(median(abort.map((run) => run.codeRealMs)))} ms / ${Math.round(worstCode)} ms`,
        target: `≤ ${CODE_TARGET_MS} ms`,
        pass: worstCode <= CODE_TARGET_MS,
      },
    ];
    const perRun = runs.map((run) => ({
      measure: `${run.mode}, failure at phase ${round(run.phase, 2)} of the check interval`,
      value: `${round(run.realTimeEquivalentS, 1)} s (waiting ${round(run.waitSimS, 1)} s + code ${Math.round(run.codeRealMs)} ms); raw ${round(run.reactionSimS, 1)} s simulated${run.rolledBack ? '' : '; not ROLLED_BACK'}`,
      target: run.mode === 'abort' ? `≤ ${round((run.alarmDelaySimS ?? 0) + CODE_TARGET_MS / 1000, 1)} s` : 'informational',
      ...(run.mode === 'abort' ? { pass: run.codeRealMs <= CODE_TARGET_MS && run.rolledBack } : {}),
      detail: true,
    }));
    return {
      timeScale: TIME_SCALE,
      rows: [...rows, ...perRun],
      notes: [
        `Each run: a function under ${RPS} invocations per real second, a canary at ${CANARY_PERCENT}% with \`health.errorRate\` (5%, at least 5 invocations: fledge's alarm on the new version), a bake of an hour checked every ${CHECK_INTERVAL} s. During the second check interval the new version starts failing every request (phases ${Array.from({ length: runsPer }, (_, k) => round((k + 0.5) / runsPer, 2)).join(', ')} of the interval); the bench polls the alias until it routes everything to version 1 again. The embedded CloudWatch evaluates alarms every ${EVALUATION_INTERVAL} simulated seconds, so the alarm's evaluation delay is up to ${EVALUATION_INTERVAL} s plus the time for enough failed invocations; on AWS it is the alarm's period and evaluation (about a minute for a 60-s period) plus Lambda's metric delay.`,
        'With the abort, the alarm\'s state change goes to the embedded EventBridge, whose rule (`fledge-alarm-abort`, as the stack\'s) hands it to the abort function through the embedded Lambda\'s asynchronous queue; the abort takes the deployment over, restores the alias and stops the execution. Polling only, the same failure waits for the next scheduled check — up to the whole check interval.',
      ],
      data: { checkInterval: CHECK_INTERVAL, evaluationIntervalSeconds: EVALUATION_INTERVAL, rps: RPS, runs },
    };
  },
};
