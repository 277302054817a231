import { writeFileSync } from 'node:fs';
import type { BenchWorld } from './world';

/** When the new version broke and when its alias routed everything to version 1 again, in real and simulated ms. */
export interface Breakage {
  readonly onsetReal: number;
  readonly onsetSim: number;
  readonly restoredReal: number;
  readonly restoredSim: number;
}

/** Whether the alias routes everything to version 1, read from the embedded AWS's inspection API (no SDK round trip). */
async function wholeOnFirstVersion(world: BenchWorld, name: string): Promise<boolean> {
  const response = await fetch(`${world.aws.endpoint}/_fledge/lambda/functions/${name}/aliases/live`);
  const alias = (await response.json()) as { functionVersion: string; additionalVersionWeights?: Record<string, number> };
  return alias.functionVersion === '1' && Object.values(alias.additionalVersionWeights ?? {}).every((weight) => weight === 0);
}

/**
 * Breaks a canary mid-bake and times its rollback: waits for the deployment's weight event, then
 * makes the new version fail (writes `flag`, which `benchCode` reads) at `phase` of the second check
 * interval — so the alarm has judged healthy traffic first — and polls the alias (every ~2 ms real)
 * until it is wholly back on version 1.
 */
export async function breakMidBake(world: BenchWorld, run: { readonly deploymentId: string; readonly name: string; readonly flag: string; readonly checkIntervalS: number; readonly phase: number }): Promise<Breakage> {
  let weightAt: number | undefined;
  while (weightAt === undefined) {
    weightAt = (await world.plane.deps.store.listEvents(run.deploymentId)).find((event) => event.kind === 'weight')?.at;
    if (weightAt === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const failAt = weightAt + (1 + run.phase) * run.checkIntervalS * 1000;
  await world.aws.clock.sleep(Math.max(0, failAt - world.aws.clock.now()));
  writeFileSync(run.flag, 'broken');
  const onsetReal = Date.now();
  const onsetSim = world.aws.clock.now();
  for (;;) {
    if (await wholeOnFirstVersion(world, run.name)) return { onsetReal, onsetSim, restoredReal: Date.now(), restoredSim: world.aws.clock.now() };
    if (Date.now() - onsetReal > 60_000) throw new Error(`${run.name}: alias not restored within 60 s of the failure`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
