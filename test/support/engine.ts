import { GetAliasCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { LocalAwsOptions } from '@fledge-local/embedded-aws';
import { afterEach, expect } from 'vitest';
import type { ControlPlaneOptions } from '../../local/fledge-on-local';
import { endedExecution, normalisedSpec, startExecution } from '../../local/world/deployments';
import { existingFunction as createExistingFunction } from '../../local/world/functions';
import { startWorld, type FledgeWorld } from '../../local/world/world';
import type { DeploymentEvent, DeploymentRecord, DeploymentStatus, ExecutionInput } from '../../shared/model/deployment';
import type { DeploymentSpec, HealthSpec, StrategySpec } from '../../shared/model/spec';
import { emailFilterPolicy } from '../../shared/model/notification';
import { eventually } from './local-aws';

export { deploymentId, executionHistory } from '../../local/world/deployments';
export { settled, uploadArtifact, USER_TIMEOUT } from '../../local/world/functions';

export const ROLE = 'arn:aws:iam::000000000000:role/fledge-test-function';

/**
 * The compressed time scale of the engine suites: one simulated second lasts 5 real ms, so a
 * 2-minute bake takes 0.6 s. Slow enough that a task's real work (a few HTTP calls) stays a
 * small part of a check interval.
 */
export const TIME_SCALE = 0.005;

/** An embedded AWS with fledge provisioned on it (the shared world of local/world/). */
export type EngineWorld = FledgeWorld;

/** Starts an embedded AWS on the compressed clock and provisions fledge on it. */
export async function startEngine(options: ControlPlaneOptions & { timeScale?: number; cloudwatch?: LocalAwsOptions['cloudwatch'] } = {}): Promise<EngineWorld> {
  const { timeScale, cloudwatch, ...planeOptions } = options;
  // One SDK attempt: retries are the state machine's job, on the simulated clock (the SDK's own
  // backoff sleeps in real time, and a throttle's Retry-After of 1 s would dominate a test).
  return startWorld({ timeScale: timeScale ?? TIME_SCALE, aws: { lambda: { updateDelayMs: 200 }, cloudwatch: cloudwatch ?? { evaluationIntervalSeconds: 5 } }, sdkMaxAttempts: 1, ...planeOptions });
}

/** Source of a user function: returns `{version: tag}`, or throws when `fails`. */
export function userCode(tag: string, options: { fails?: boolean } = {}): Record<string, string> {
  return {
    'index.mjs': options.fails
      ? `export const handler = async () => { throw new Error('release ${tag} is broken'); };\n`
      : `export const handler = async (event) => ({ release: ${JSON.stringify(tag)}, echo: event?.echo ?? null });\n`,
  };
}

/** Creates a function serving `tag` as version 1 behind `alias` — the state before a deployment. */
export async function existingFunction(world: EngineWorld, name: string, tag = 'v1', alias = 'live', options: { fails?: boolean } = {}): Promise<void> {
  await createExistingFunction(world, name, userCode(tag, options), { role: ROLE, alias });
}

/**
 * Health for a test about something other than evidence, whose pauses run without traffic:
 * written out explicitly as a spec would, `minInvocations: 0` (the pause is only a timed wait).
 */
export const TIMED_PAUSES: Partial<HealthSpec> = { minInvocations: 0 };

/**
 * A normalised spec, as the spec parser would produce it: `health` is what the spec writes, the
 * rest of it gets the parser's defaults (evidence included: pauses need invocations).
 */
export function spec(functionName: string, strategy: StrategySpec, overrides: Parameters<typeof normalisedSpec>[2] = {}): DeploymentSpec {
  // Generous: at the compressed scale each task's real latency is many simulated seconds.
  return normalisedSpec(functionName, strategy, { timeout: 6 * 3600, ...overrides });
}

/** Starts a deployment execution as issue 5's starters do; returns its id and execution ARN. */
export async function startDeployment(world: EngineWorld, input: Omit<ExecutionInput, 'startedBy' | 'source'> & Partial<Pick<ExecutionInput, 'startedBy' | 'source'>>): Promise<{ deploymentId: string; executionArn: string }> {
  const full: ExecutionInput = { startedBy: 'engine-test', source: 'test', ...input };
  return { deploymentId: full.deploymentId, executionArn: await startExecution(world, full) };
}

/** Waits until the execution ends; returns its status. */
export async function executionEnd(world: EngineWorld, executionArn: string, timeoutMs = 60_000): Promise<string> {
  return (await endedExecution(world, executionArn, { timeoutMs, intervalMs: 50 })).status!;
}

/** Waits until the deployment record reaches `status` (or any terminal status when none is given). */
export async function recordStatus(world: EngineWorld, id: string, status: DeploymentStatus, timeoutMs = 60_000): Promise<DeploymentRecord> {
  return eventually(async () => {
    const record = await world.plane.deps.store.getDeployment(id);
    return record?.status === status ? record : undefined;
  }, { timeoutMs, intervalMs: 50, what: `deployment ${id} to be ${status}` });
}

/**
 * Waits until the deployment has ended with `status` and its ending is settled: the status is
 * written first, then the side effects, the lock last (kept only while the alias is split).
 */
export async function settledAs(world: EngineWorld, id: string, status: DeploymentStatus, timeoutMs = 60_000): Promise<DeploymentRecord> {
  return eventually(async () => {
    const record = await world.plane.deps.store.getDeployment(id);
    if (record?.status !== status || !record.ending || record.unsettled) return undefined;
    const lock = await world.plane.deps.store.getLock(record.functionName, record.alias);
    if (!record.ending.keepLock && lock?.holder === id) return undefined;
    const history = await world.plane.deps.store.listEvents(id);
    return history.some((event) => event.key === record.ending?.eventKey) ? record : undefined;
  }, { timeoutMs, intervalMs: 50, what: `deployment ${id} to be ${status} and settled` });
}

/** The deployment's history. */
export async function historyOf(world: EngineWorld, id: string): Promise<readonly DeploymentEvent[]> {
  return world.plane.deps.store.listEvents(id);
}

/** The alias as Lambda reports it. */
export async function aliasOf(world: EngineWorld, name: string, alias = 'live'): Promise<{ version: string; weights: Record<string, number>; revisionId: string }> {
  const out = await world.lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }));
  return { version: out.FunctionVersion!, weights: { ...(out.RoutingConfig?.AdditionalVersionWeights ?? {}) }, revisionId: out.RevisionId! };
}

/**
 * The invariant after every test: the alias sends all its traffic to one version — never
 * half-shifted, never `{new: 1.0}` left as an additional weight.
 */
export async function expectAliasWhole(world: EngineWorld, name: string, alias = 'live'): Promise<void> {
  const state = await aliasOf(world, name, alias);
  expect(Object.values(state.weights).filter((weight) => weight > 0), `${name}:${alias} routing ${JSON.stringify(state.weights)}`).toEqual([]);
}

/** Kinds of the deployment's events, in order. */
export function kinds(events: readonly DeploymentEvent[]): string[] {
  return events.map((event) => event.kind);
}

/**
 * Registers the invariant as an `afterEach`: every alias a test touched routes all its traffic to
 * one version. Returns `touch(name)`, which a test calls for each function it deploys.
 */
export function guardAliases(world: () => EngineWorld): (name: string) => string {
  const touched: string[] = [];
  afterEach(async () => {
    const names = touched.splice(0);
    for (const name of names) await expectAliasWhole(world(), name);
  });
  return (name) => {
    touched.push(name);
    return name;
  };
}

/**
 * Invokes the alias continuously until the execution ends, as production traffic would, so
 * the `AWS/Lambda` metrics (by ExecutedVersion) feed the alarms. Returns invocations per version.
 */
export async function trafficUntilEnd(world: EngineWorld, name: string, executionArn: string, alias = 'live'): Promise<{ status: string; byVersion: Record<string, number> }> {
  const byVersion: Record<string, number> = {};
  let status: string | undefined;
  const deadline = Date.now() + 60_000;
  while (status === undefined) {
    if (Date.now() > deadline) throw new Error(`execution ${executionArn} did not end within 60 s`);
    const burst = await Promise.all(
      Array.from({ length: 4 }, () => world.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: alias, Payload: Buffer.from('{}') }))),
    );
    for (const out of burst) byVersion[out.ExecutedVersion ?? '?'] = (byVersion[out.ExecutedVersion ?? '?'] ?? 0) + 1;
    const described = await world.plane.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') status = described.status;
  }
  return { status, byVersion };
}

/** Subscribes an e-mail address to a topic of the control plane (the embedded SNS delivers to its outbox). */
export async function subscribeEmail(world: EngineWorld, topicArn: string, address: string): Promise<void> {
  // With the stack's default e-mail filter, as an installation subscribes its address.
  await world.plane.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: address, Attributes: { FilterPolicy: emailFilterPolicy() } }));
}

/** The e-mails the embedded SNS delivered to `address`. */
export async function mailTo(world: EngineWorld, address: string): Promise<{ subject: string; body: string; topicArn: string }[]> {
  const response = await fetch(`${world.aws.endpoint}/_fledge/sns/outbox?to=${encodeURIComponent(address)}`);
  const { messages } = (await response.json()) as { messages: { subject: string; body: string; topicArn: string }[] };
  return messages;
}

/**
 * A CloudWatch alarm state change to ALARM as EventBridge delivers it to the alarm abort: from
 * fledge's own account and region unless `from` says where; `stamped`: with the state's own
 * timestamp, in CloudWatch's `+0000` form.
 */
export function alarmEvent(world: EngineWorld, alarmName: string, options: { id: string; reason?: string; from?: { account: string; region: string }; stamped?: boolean }): string {
  const { home } = world.plane.deps;
  const { account, region } = options.from ?? { account: home.accountId, region: home.region };
  const now = new Date(world.aws.clock.now()).toISOString();
  const state = { value: 'ALARM', reason: options.reason ?? 'test', ...(options.stamped ? { timestamp: now.replace('Z', '+0000') } : {}) };
  return JSON.stringify({ version: '0', id: options.id, 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', account, region, time: now, resources: [], detail: { alarmName, state, previousState: { value: 'OK' } } });
}
