import type { DeploymentRecord } from '../../shared/model/deployment';
import type { StrategySpec } from '../../shared/model/spec';
import { median, round } from '../lib/stats';
import type { Figure } from '../lib/result';
import { benchCode, benchSpec, deploymentId, executionEnd, existingFunction, startDeployment, startWorld, uploadArtifact, type BenchWorld } from '../lib/world';

/*
 * Figure 6. (a) 50 deployments of 50 different functions started in the same instant: every one
 * must succeed, each alias ending wholly on its new version. (b) 10 deployments of the same alias
 * started in the same instant: exactly one may run; the nine others must be refused cleanly —
 * REJECTED, naming the deployment that holds the alias, having moved no traffic — and the alias
 * must end wholly on the winner's version. Started with StartExecution as fledge's starters
 * (API, S3 trigger, CLI) do, all requests in flight at once.
 */

const TIME_SCALE = 0.01;
const STRATEGY: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 120 }] };
const CHECK_INTERVAL = 30;

interface Parallel {
  readonly deployments: number;
  readonly succeeded: number;
  readonly aliasesWhole: number;
  readonly wallRealS: number;
  readonly durationSimS: { readonly median: number; readonly max: number };
}

interface SameAlias {
  readonly deployments: number;
  readonly ran: number;
  readonly refusedCleanly: number;
  readonly otherOutcomes: readonly string[];
  readonly aliasWholeOnWinner: boolean;
  readonly refusalReason: string;
}

async function aliasOf(world: BenchWorld, name: string): Promise<{ functionVersion: string; additionalVersionWeights?: Record<string, number> }> {
  return (await (await fetch(`${world.aws.endpoint}/_fledge/lambda/functions/${name}/aliases/live`)).json()) as { functionVersion: string; additionalVersionWeights?: Record<string, number> };
}

const whole = (alias: { additionalVersionWeights?: Record<string, number> }): boolean => Object.values(alias.additionalVersionWeights ?? {}).every((weight) => weight === 0);

async function parallel(world: BenchWorld, round_: number, count: number): Promise<Parallel> {
  const names = Array.from({ length: count }, (_, k) => `bench-many-${round_}-${k}`);
  for (let k = 0; k < names.length; k += 10) await Promise.all(names.slice(k, k + 10).map((name) => existingFunction(world, name, benchCode('v1'))));
  const artifacts = await Promise.all(names.map((name) => uploadArtifact(world, `${name}/v2.zip`, benchCode('v2'))));
  const began = Date.now();
  // No traffic in this figure: its pauses are timed waits (minInvocations: 0), not what it measures.
  const arns = await Promise.all(names.map((name, k) => startDeployment(world, deploymentId(`many-${round_}-${k}`), benchSpec(name, STRATEGY, { checkInterval: CHECK_INTERVAL, minInvocations: 0 }), artifacts[k]!)));
  const ends = await Promise.all(arns.map((arn) => executionEnd(world, arn)));
  const wallRealS = (Date.now() - began) / 1000;
  const aliases = await Promise.all(names.map((name) => aliasOf(world, name)));
  const durations = ends.map((end) => (end.stopMs - end.startMs) / 1000);
  return {
    deployments: count,
    succeeded: ends.filter((end) => end.status === 'SUCCEEDED').length,
    aliasesWhole: aliases.filter((alias) => alias.functionVersion === '2' && whole(alias)).length,
    wallRealS,
    durationSimS: { median: median(durations), max: Math.max(...durations) },
  };
}

async function sameAlias(world: BenchWorld, round_: number, count: number): Promise<SameAlias> {
  const name = `bench-contended-${round_}`;
  await existingFunction(world, name, benchCode('v1'));
  const artifact = await uploadArtifact(world, `${name}/v2.zip`, benchCode('v2'));
  const ids = Array.from({ length: count }, (_, k) => deploymentId(`same-${round_}-${k}`));
  const arns = await Promise.all(ids.map((id) => startDeployment(world, id, benchSpec(name, STRATEGY, { checkInterval: CHECK_INTERVAL, minInvocations: 0 }), artifact)));
  await Promise.all(arns.map((arn) => executionEnd(world, arn)));
  const records = (await Promise.all(ids.map((id) => world.plane.deps.store.getDeployment(id)))) as DeploymentRecord[];
  const winners = records.filter((record) => record.status === 'SUCCEEDED');
  const winner = winners[0];
  const clean: DeploymentRecord[] = [];
  for (const record of records) {
    if (record.status !== 'REJECTED') continue;
    const events = await world.plane.deps.store.listEvents(record.deploymentId);
    // Clean: refused before touching anything, saying who holds the alias.
    if (winner && record.reason?.includes(winner.deploymentId) && !events.some((event) => event.kind === 'weight' || event.kind === 'published')) clean.push(record);
  }
  const alias = await aliasOf(world, name);
  return {
    deployments: count,
    ran: winners.length,
    refusedCleanly: clean.length,
    otherOutcomes: records.filter((record) => record.status !== 'SUCCEEDED' && record.status !== 'REJECTED').map((record) => `${record.status}: ${record.reason ?? ''}`),
    aliasWholeOnWinner: alias.functionVersion === '2' && whole(alias),
    refusalReason: clean[0]?.reason ?? records.find((record) => record.status === 'REJECTED')?.reason ?? '',
  };
}

export const concurrencyFigure: Figure = {
  id: 'concurrency',
  title: 'Concurrency',
  async run({ quick }) {
    const rounds = quick ? 1 : 3;
    const world = await startWorld(TIME_SCALE);
    const many: Parallel[] = [];
    const same: SameAlias[] = [];
    try {
      for (let r = 0; r < rounds; r++) {
        many.push(await parallel(world, r, 50));
        same.push(await sameAlias(world, r, 10));
      }
    } finally {
      await world.stop();
    }
    const manyOk = many.every((run) => run.succeeded === run.deployments && run.aliasesWhole === run.deployments);
    const sameOk = same.every((run) => run.ran === 1 && run.refusedCleanly === run.deployments - 1 && run.aliasWholeOnWinner);
    return {
      timeScale: TIME_SCALE,
      rows: [
        { measure: `50 deployments of 50 functions at once (${rounds} rounds): succeeded, aliases whole on the new version`, value: many.map((run) => `${run.succeeded}/50, ${run.aliasesWhole}/50`).join('; '), target: '50/50 every round', pass: manyOk },
        { measure: '  their wall time, real; deployment duration, simulated (median / max), for a 120-s bake', value: `${round(median(many.map((run) => run.wallRealS)), 1)} s; ${round(median(many.map((run) => run.durationSimS.median)), 1)} s / ${round(Math.max(...many.map((run) => run.durationSimS.max)), 1)} s`, target: 'informational' },
        { measure: `10 deployments of one alias at once (${rounds} rounds): ran / refused cleanly`, value: same.map((run) => `${run.ran} / ${run.refusedCleanly}${run.otherOutcomes.length ? ` (+ ${run.otherOutcomes.length} other)` : ''}`).join('; '), target: '1 / 9 every round, alias whole', pass: sameOk },
      ],
      notes: [
        `Canary 10% for 120 s, checked every ${CHECK_INTERVAL} s, at time scale ${TIME_SCALE}; one embedded AWS, fledge's task functions in its process, so 50 concurrent executions share two cores with the 50 functions' own invocations. Durations beyond 120 s simulated are the contention: every real millisecond is 100 simulated ones here.`,
        `The per-alias lock (a conditional PutItem on \`LOCK#<function>#<alias>\` in Prepare, before the alias is read) lets exactly one in; the others end REJECTED without publishing or moving traffic. The refusal reads: "${same[0]?.refusalReason ?? ''}".`,
      ],
      data: { many, same },
    };
  },
};
