import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { provisionControlPlane, type LocalControlPlane } from '../../local/fledge-on-local';
import { startLocalAws, type LocalAws, type LocalAwsOptions } from '../../local/server';
import type { ExecutionInput } from '../../shared/domain/deployment/model';
import { evidenceRuleOf } from '../../shared/domain/spec/evidence';
import type { DeploymentSpec, HealthSpec, StrategySpec } from '../../shared/domain/spec/model';
import { clientConfig, eventually } from '../../test/support/local-aws';
import { functionZip } from '../../test/support/zip';

/** Role of the functions the bench deploys (the embedded Lambda checks its form only). */
export const ROLE = 'arn:aws:iam::000000000000:role/fledge-bench-function';

/** fledge provisioned on an embedded AWS, as `fledge local` runs it, plus a client of "the user". */
export interface BenchWorld {
  readonly aws: LocalAws;
  readonly plane: LocalControlPlane;
  readonly lambda: LambdaClient;
  stop(): Promise<void>;
}

/**
 * Starts an embedded AWS at `timeScale` and provisions fledge on it with local mode's defaults
 * (SDK retries as on AWS, alarm evaluation every 10 simulated seconds) unless `aws` overrides them:
 * the figures describe what a user of `fledge local` gets, not a tuned harness.
 */
export async function startWorld(timeScale: number, aws: Omit<LocalAwsOptions, 'port' | 'timeScale'> = {}): Promise<BenchWorld> {
  process.env.FLEDGE_LOG ??= 'off';
  const local = await startLocalAws({ ...aws, port: 0, timeScale });
  const plane = await provisionControlPlane(local);
  const lambda = new LambdaClient(clientConfig(local));
  return {
    aws: local,
    plane,
    lambda,
    async stop() {
      plane.unsubscribe();
      lambda.destroy();
      for (const client of Object.values(plane.clients)) client.destroy();
      await local.stop();
    },
  };
}

/** A function that returns its tag, or throws once `failWhenFileExists` exists (the bench's switch for "the canary starts failing"). */
export function benchCode(tag: string, failWhenFileExists?: string): Record<string, string> {
  const check = failWhenFileExists ? `if (existsSync(${JSON.stringify(failWhenFileExists)})) throw new Error('release ${tag} is broken');` : '';
  return { 'index.mjs': `import { existsSync } from 'node:fs';\nexport const handler = async () => { ${check} return { release: ${JSON.stringify(tag)} }; };\n` };
}

/** Creates `name` with version 1 of `files` behind `alias`: the state before a deployment. */
export async function existingFunction(world: BenchWorld, name: string, files: Record<string, string>, alias = 'live'): Promise<void> {
  // 900 s: user code runs at real speed while time is compressed (docs/local.md, Time).
  await world.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: 900, Code: { ZipFile: functionZip(files) } }));
  await eventually(async () => {
    const config = await world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    return config.State === 'Active' && config.LastUpdateStatus !== 'InProgress' ? true : undefined;
  }, { timeoutMs: 30_000, what: `${name} to settle` });
  const version = await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await world.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: version.Version! }));
}

/** Uploads a zip of `files` to fledge's artifacts bucket. */
export async function uploadArtifact(world: BenchWorld, key: string, files: Record<string, string>): Promise<{ bucket: string; key: string }> {
  await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: world.plane.bucket, Key: key, Body: functionZip(files) }));
  return { bucket: world.plane.bucket, key };
}

/** A normalised spec (what the parser would produce for the same YAML). */
export function benchSpec(functionName: string, strategy: StrategySpec, health: Partial<HealthSpec> = {}): DeploymentSpec {
  return {
    version: 1,
    function: { name: functionName },
    alias: 'live',
    artifact: { kind: 'zip', key: 'unused' },
    strategy,
    health: { alarms: [], checkInterval: 60, ...evidenceRuleOf(health, strategy), ...health },
    hooks: {},
    approval: { timeout: 3600 },
    timeout: 24 * 3600,
  };
}

let counter = 0;

/** A fresh deployment id (execution names are unique per state machine). */
export function deploymentId(label: string): string {
  counter += 1;
  return `bench-${label}-${Date.now().toString(36)}-${counter}`.slice(0, 80);
}

/** Starts a deployment exactly as fledge's starters do (StartExecution named by the deployment id). */
export async function startDeployment(world: BenchWorld, id: string, spec: DeploymentSpec, artifact: { bucket: string; key: string }): Promise<string> {
  const input: ExecutionInput = { deploymentId: id, spec, artifact, startedBy: 'bench', source: 'local' };
  const out = await world.plane.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: world.plane.stateMachineArn, name: id, input: JSON.stringify(input) }));
  return out.executionArn!;
}

/** The execution once it has ended: status and simulated start/stop (epoch ms). */
export async function executionEnd(world: BenchWorld, executionArn: string, timeoutMs = 300_000): Promise<{ status: string; startMs: number; stopMs: number }> {
  return eventually(async () => {
    const out = await world.plane.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE') return undefined;
    return { status: out.status!, startMs: out.startDate!.getTime(), stopMs: out.stopDate!.getTime() };
  }, { timeoutMs, intervalMs: 25, what: `execution ${executionArn} to end` });
}

/** The whole execution history, every page. */
export async function executionHistory(world: BenchWorld, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await world.plane.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}
