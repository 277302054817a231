import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalAwsOptions } from '@fledge-local/embedded-aws';
import { deploymentId as freshDeploymentId, endedExecution, executionHistory as historyOfExecution, normalisedSpec, startExecution } from '../../local/world/deployments';
import { existingFunction as createExistingFunction } from '../../local/world/functions';
import { startWorld as startFledgeWorld, type FledgeWorld } from '../../local/world/world';
import type { ExecutionInput } from '../../shared/model/deployment';
import type { DeploymentSpec, HealthSpec, StrategySpec } from '../../shared/model/spec';

export { uploadArtifact } from '../../local/world/functions';

/** Role of the functions the bench deploys (the embedded Lambda checks its form only). */
export const ROLE = 'arn:aws:iam::000000000000:role/fledge-bench-function';

/** fledge provisioned on an embedded AWS, as `fledge local` runs it, plus a client of "the user" (local/world/). */
export type BenchWorld = FledgeWorld;

/**
 * Starts an embedded AWS at `timeScale` and provisions fledge on it with local mode's defaults
 * (SDK retries as on AWS, alarm evaluation every 10 simulated seconds) unless `aws` overrides them:
 * the figures describe what a user of `fledge local` gets, not a tuned harness.
 */
export async function startWorld(timeScale: number, aws: Omit<LocalAwsOptions, 'port' | 'timeScale'> = {}): Promise<BenchWorld> {
  return startFledgeWorld({ timeScale, aws });
}

/** A function that returns its tag, or throws once `failWhenFileExists` exists (the bench's switch for "the canary starts failing"). */
export function benchCode(tag: string, failWhenFileExists?: string): Record<string, string> {
  const check = failWhenFileExists ? `if (existsSync(${JSON.stringify(failWhenFileExists)})) throw new Error('release ${tag} is broken');` : '';
  return { 'index.mjs': `import { existsSync } from 'node:fs';\nexport const handler = async () => { ${check} return { release: ${JSON.stringify(tag)} }; };\n` };
}

/** Creates `name` with version 1 of `files` behind `alias`: the state before a deployment. */
export async function existingFunction(world: BenchWorld, name: string, files: Record<string, string>, alias = 'live'): Promise<void> {
  await createExistingFunction(world, name, files, { role: ROLE, alias, settleTimeoutMs: 30_000 });
}

/** A normalised spec (what the parser would produce for the same YAML). */
export function benchSpec(functionName: string, strategy: StrategySpec, health: Partial<HealthSpec> = {}): DeploymentSpec {
  return normalisedSpec(functionName, strategy, { health });
}

/** A fresh deployment id (execution names are unique per state machine). */
export function deploymentId(label: string): string {
  return freshDeploymentId(`bench-${label}`);
}

/** Starts a deployment exactly as fledge's starters do (StartExecution named by the deployment id). */
export async function startDeployment(world: BenchWorld, id: string, spec: DeploymentSpec, artifact: { bucket: string; key: string }): Promise<string> {
  const input: ExecutionInput = { deploymentId: id, spec, artifact, startedBy: 'bench', source: 'local' };
  return startExecution(world, input);
}

/** The execution once it has ended: status and simulated start/stop (epoch ms). */
export async function executionEnd(world: BenchWorld, executionArn: string, timeoutMs = 300_000): Promise<{ status: string; startMs: number; stopMs: number }> {
  const out = await endedExecution(world, executionArn, { timeoutMs, intervalMs: 25 });
  return { status: out.status!, startMs: out.startDate!.getTime(), stopMs: out.stopDate!.getTime() };
}

/** The whole execution history, every page, without the states' input and output. */
export async function executionHistory(world: BenchWorld, executionArn: string): Promise<HistoryEvent[]> {
  return historyOfExecution(world, executionArn, { includeExecutionData: false });
}
