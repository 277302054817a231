import { startTraffic } from '../../local/traffic';
import type { HealthSpec, StrategySpec } from '../../shared/model/spec';
import { median, round } from '../lib/stats';
import type { Figure } from '../lib/result';
import { benchSpec, deploymentId, executionEnd, existingFunction, startDeployment, startWorld, uploadArtifact, type BenchWorld } from '../lib/world';

/*
 * Figure: latency judgement. Many canaries at once on one embedded AWS, half of them a new version
 * 3× slower than the old one (no errors), half a healthy new version as fast as the old one, all
 * under the same traffic and the same machine load; each is judged by comparison with the old
 * version under the same traffic (`health.baseline.latency`). Detection rate: slow versions rolled
 * back for their latency; false-rollback rate: healthy versions not promoted.
 *
 * The embedded Lambda's Duration is the handler's own run (no cold start, no wait for an
 * environment), real ms ÷ the time scale, so the versions differ by real sleeps. A sleep wakes late
 * under load (a 100 ms sleep measured a median of 108 ms with both cores saturated), but both
 * versions' calls interleave on the same alias and are late alike; on top of that every call
 * draws its own latency (log-normal around the version's median), as real calls do.
 */

const TIME_SCALE = 0.01;
/** The old (and healthy) version's median latency, real ms. */
const BASE_MS = 300;
const SLOWDOWN = 3;
/** Spread of each call's latency: log-normal with this σ (p90 ≈ 1.47 × the median, p99 ≈ 2 ×). */
const SIGMA = 0.3;
/** The rule: the new version's p50 at most this many percent above the old version's. */
const ALLOWED_PERCENT = 70;
const MIN_SAMPLES = 20;
const CANARY_PERCENT = 50;
const PAUSE = 1200;
const CHECK_INTERVAL = 300;
/** Invocations per real second per function. */
const RPS = 12;
/** Deployments running at once (half slow, half healthy). */
const PARALLEL = 10;

type Kind = 'slow' | 'healthy';

interface Run {
  readonly kind: Kind;
  readonly index: number;
  readonly status: string;
  readonly reason: string | null;
  /** The last check's comparison: new p50, old p50, their ratio, samples (simulated ms). */
  readonly newP50: number | null;
  readonly oldP50: number | null;
  readonly ratio: number | null;
  readonly samples: number | null;
  /** new p50 ÷ old p50 at every check that judged the comparison, in order. */
  readonly judgedRatios: readonly number[];
  readonly checks: number;
  /** Simulated s from the canary's weight to the deployment's end (rollback or promotion). */
  readonly decidedAfterSimS: number | null;
  /** Real s from the deployment's start to its end. */
  readonly realS: number;
  readonly invocations: Readonly<Record<string, number>>;
}

/** A handler sleeping a log-normal time around `medianMs` real ms (capped at 5×), never failing. */
function releaseCode(tag: string, medianMs: number): Record<string, string> {
  return {
    'index.mjs':
      `export const handler = async () => {\n` +
      `  const z = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());\n` +
      `  const ms = Math.min(${medianMs * 5}, ${medianMs} * Math.exp(${SIGMA} * z));\n` +
      `  await new Promise((resolve) => setTimeout(resolve, ms));\n` +
      `  return { release: ${JSON.stringify(tag)} };\n` +
      `};\n`,
  };
}

const STRATEGY: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: CANARY_PERCENT }, { type: 'pause', duration: PAUSE }] };
const HEALTH: Partial<HealthSpec> = {
  checkInterval: CHECK_INTERVAL,
  minInvocations: MIN_SAMPLES,
  baseline: { latency: { p50: ALLOWED_PERCENT }, minSamples: MIN_SAMPLES, dryRun: false },
};

interface SignalEntry {
  readonly name: string;
  readonly value?: number;
  readonly baseline?: number;
  readonly samples?: number;
  readonly verdict: string;
}

async function oneRun(world: BenchWorld, kind: Kind, index: number): Promise<Run> {
  const name = `bench-latency-${kind}-${index}`;
  await existingFunction(world, name, releaseCode('v1', BASE_MS));
  const traffic = startTraffic({ client: world.lambda, functionName: name, alias: 'live', rps: RPS, maxInFlight: 12 });
  const began = Date.now();
  try {
    const id = deploymentId(`latency-${kind}-${index}`);
    const next = releaseCode('v2', kind === 'slow' ? BASE_MS * SLOWDOWN : BASE_MS);
    const arn = await startDeployment(world, id, benchSpec(name, STRATEGY, HEALTH), await uploadArtifact(world, `${name}/v2.zip`, next));
    await executionEnd(world, arn, 180_000);
    const realS = (Date.now() - began) / 1000;
    const stats = traffic.stats();
    const record = await world.plane.deps.store.getDeployment(id);
    const history = await world.plane.deps.store.listEvents(id);
    const checks = history.filter((event) => event.kind === 'check');
    const judged = checks
      .map((event) => ((event.data?.signals ?? []) as SignalEntry[]).find((signal) => signal.name === 'baseline latency p50'))
      .filter((signal): signal is SignalEntry => signal?.value !== undefined && signal.baseline !== undefined && signal.verdict !== 'inconclusive');
    const comparison = judged.at(-1);
    const weightAt = history.find((event) => event.kind === 'weight')?.at;
    const endAt = history.find((event) => event.kind === 'rolledBack' || event.kind === 'promoted')?.at;
    return {
      kind,
      index,
      status: record?.status ?? 'unknown',
      reason: record?.reason ?? null,
      newP50: comparison?.value ?? null,
      oldP50: comparison?.baseline ?? null,
      ratio: comparison ? comparison.value! / comparison.baseline! : null,
      samples: comparison?.samples ?? null,
      judgedRatios: judged.map((signal) => signal.value! / signal.baseline!),
      checks: checks.length,
      decidedAfterSimS: weightAt !== undefined && endAt !== undefined ? (endAt - weightAt) / 1000 : null,
      realS,
      invocations: Object.fromEntries(Object.entries(stats.byVersion).map(([version, counts]) => [version, counts.invocations])),
    };
  } finally {
    await traffic.stop();
  }
}

/** P(Z > z) for a standard normal Z (Abramowitz–Stegun 26.2.17, error < 1e-7). */
function normalTail(z: number): number {
  const t = 1 / (1 + 0.2316419 * z);
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
}

const pct = (part: number, all: number): string => `${part}/${all} (${round((100 * part) / all, 1)}%)`;

export const latencyFigure: Figure = {
  id: 'latency',
  title: 'Latency judgement',
  async run({ quick }) {
    const runsPer = quick ? 4 : 20;
    const parallel = quick ? 4 : PARALLEL;
    const kinds: Kind[] = Array.from({ length: 2 * runsPer }, (_, k) => (k % 2 === 0 ? 'slow' : 'healthy'));
    const world = await startWorld(TIME_SCALE);
    const runs: Run[] = [];
    const began = Date.now();
    try {
      for (let start = 0; start < kinds.length; start += parallel) {
        const batch = kinds.slice(start, start + parallel);
        runs.push(...(await Promise.all(batch.map((kind, k) => oneRun(world, kind, start + k)))));
      }
    } finally {
      await world.stop();
    }
    const wallS = (Date.now() - began) / 1000;
    const slow = runs.filter((run) => run.kind === 'slow');
    const healthy = runs.filter((run) => run.kind === 'healthy');
    const detected = slow.filter((run) => run.status === 'ROLLED_BACK' && /p50 of version/.test(run.reason ?? ''));
    const falseRollbacks = healthy.filter((run) => run.status !== 'SUCCEEDED');
    // The slow versions' margin is at the check that decided; a healthy version could have been rolled back at any judged check, so its highest.
    const slowRatios = slow.map((run) => run.ratio).filter((ratio): ratio is number => ratio !== null);
    const healthyRatios = healthy.filter((run) => run.judgedRatios.length > 0).map((run) => Math.max(...run.judgedRatios));
    const limit = 1 + ALLOWED_PERCENT / 100;
    // A median's standard error on the log scale, and the ratio of two independent ones.
    const medianSe = (Math.sqrt(Math.PI / 2) * SIGMA) / Math.sqrt(MIN_SAMPLES);
    const ratioSe = medianSe * Math.SQRT2;
    const falseRate = normalTail(Math.log(limit) / ratioSe);
    const rows = [
      {
        measure: `a new version ${SLOWDOWN}× slower than the old (no errors) rolled back for its latency: detection rate over ${slow.length} runs`,
        value: pct(detected.length, slow.length),
        target: '100%',
        pass: detected.length === slow.length,
      },
      {
        measure: `a healthy new version (as fast as the old) under the same traffic and load rolled back or not promoted: false-rollback rate over ${healthy.length} runs`,
        value: pct(falseRollbacks.length, healthy.length),
        target: `0/${healthy.length} (≤ 5%)`,
        pass: falseRollbacks.length <= Math.floor(0.05 * healthy.length),
      },
      {
        measure: `new p50 ÷ old p50 at the deciding check (rule: ≤ ${limit}): ${SLOWDOWN}× slower versions, min / median / max`,
        value: slowRatios.length ? `${round(Math.min(...slowRatios), 2)} / ${round(median(slowRatios), 2)} / ${round(Math.max(...slowRatios), 2)}` : 'no comparison',
        target: `> ${limit} (informational: the margin)`,
      },
      {
        measure: 'healthy versions: the highest ratio at any judged check of each, min / median / max',
        value: healthyRatios.length ? `${round(Math.min(...healthyRatios), 2)} / ${round(median(healthyRatios), 2)} / ${round(Math.max(...healthyRatios), 2)}` : 'no comparison',
        target: `≤ ${limit} (informational: the margin)`,
      },
      {
        measure: `time the figure took: ${runs.length} deployments, ${parallel} at once`,
        value: `${Math.round(wallS)} s real; one deployment ${round(median(runs.map((run) => run.realS)), 1)} s real (median)`,
        target: 'informational',
      },
    ];
    const perRun = runs.map((run) => ({
      measure: `${run.kind === 'slow' ? `${SLOWDOWN}× slower` : 'healthy'} #${run.index}`,
      value:
        `${run.status}${run.ratio === null ? '' : `; p50 ${Math.round(run.newP50! * TIME_SCALE)} ms vs ${Math.round(run.oldP50! * TIME_SCALE)} ms real (×${round(run.ratio, 2)}, ${run.samples} samples)`}` +
        `${run.decidedAfterSimS === null ? '' : `; decided ${Math.round(run.decidedAfterSimS)} s simulated after the shift, ${run.checks} checks`}`,
      target: run.kind === 'slow' ? 'ROLLED_BACK' : 'SUCCEEDED',
      pass: run.kind === 'slow' ? detected.includes(run) : run.status === 'SUCCEEDED',
      detail: true,
    }));
    return {
      timeScale: TIME_SCALE,
      rows: [...rows, ...perRun],
      notes: [
        `Each run: a function whose version 1 sleeps a log-normal time per call (median ${BASE_MS} real ms, σ ${SIGMA}: p90 ≈ ${Math.round(BASE_MS * Math.exp(1.2816 * SIGMA))} ms, p99 ≈ ${Math.round(BASE_MS * Math.exp(2.3263 * SIGMA))} ms), under ${RPS} invocations per real second; a canary at ${CANARY_PERCENT}% of a new version, a pause of ${PAUSE} s checked every ${CHECK_INTERVAL} s, judged only by \`health.baseline: { latency: { p50: ${ALLOWED_PERCENT}% }, minSamples: ${MIN_SAMPLES} }\` (and \`minInvocations: ${MIN_SAMPLES}\`). The slow new version draws from the same distribution ${SLOWDOWN}× longer (median ${BASE_MS * SLOWDOWN} ms), never failing; the healthy one is the old code again. ${runsPer} of each, ${parallel} deployments at once on one embedded AWS (slow and healthy interleaved, so both kinds share the same load), ${runs.length} in all.`,
        `Why this rule. A ${SLOWDOWN}× regression is +${(SLOWDOWN - 1) * 100}%; the allowance, ${ALLOWED_PERCENT}%, sits near the geometric midpoint of no change (1×) and the regression to catch (√${SLOWDOWN} ≈ ${round(Math.sqrt(SLOWDOWN), 2)}×), so the noise has as much room on either side. The noise on the ratio of two medians is the calls' own spread plus the machine's load: with σ ${SIGMA}, a median over ${MIN_SAMPLES} calls has a standard error of ${round(100 * medianSe, 1)}% (√(π/2)·σ/√n), the ratio of two such medians ${round(100 * ratioSe, 1)}%, so at the fewest samples a verdict is ever reached on the allowance is ${round(Math.log(limit) / ratioSe, 1)} standard errors above a healthy version's ratio of 1 (a false rollback per judged check about ${falseRate.toExponential(0)} if that were all) and ${round(Math.log(SLOWDOWN / limit) / ratioSe, 1)} below the slow version's ${SLOWDOWN}; more samples (a healthy pause here ended with ${Math.round(median(healthy.map((run) => run.samples ?? 0)))} at the median) widen both. Load adds more than that theory: sleeps wake late, for both versions alike since their calls interleave on one alias, but not exactly alike over a few dozen calls. In trials of this figure at a load average of 7 to 10 on 2 cores, a healthy version's ratio reached 1.46 (medians of 200 ms) and 1.34 (300 ms), a slow one's fell to 2.19: a 50% allowance held, with less room on the healthy side than on the slow side, hence ${ALLOWED_PERCENT}%, and medians of ${BASE_MS} ms so that a scheduler's lateness of tens of ms weighs less against them. The ratio rows above are the margins seen in this run. To catch smaller regressions, raise \`minSamples\` with the tighter allowance: 20% is ${round(Math.log(1.2) / ratioSe, 1)} standard errors at ${MIN_SAMPLES} samples, and needs about ${Math.ceil(MIN_SAMPLES * (Math.log(limit) / Math.log(1.2)) ** 2)} per version for the same margin. A p50 is the regression detector at canary volumes; a p99 needs 100 samples per version per pause and is the tail's signal. The comparison needs no absolute ceiling, so it holds for any function's normal latency, and it judges both versions over the same minutes, so a slow dependency that slows both is not blamed on the new version.`,
        'The embedded Lambda\'s Duration is the handler\'s run (no init, no wait for a free environment) in simulated ms (real ms ÷ the time scale); the per-run rows convert it back to real ms. A check before the pause has its samples is inconclusive and only means "not yet a success"; the verdict falls at the first check with both versions over the minimum.',
      ],
      data: { baseMs: BASE_MS, slowdown: SLOWDOWN, sigma: SIGMA, allowedPercent: ALLOWED_PERCENT, minSamples: MIN_SAMPLES, canaryPercent: CANARY_PERCENT, pause: PAUSE, checkInterval: CHECK_INTERVAL, rps: RPS, parallel, wallSeconds: wallS, runs },
    };
  },
};
