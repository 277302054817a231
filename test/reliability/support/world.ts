import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { clearFaults, ControlApiError, getClock, inspect } from '@fledge-local/embedded-aws';
import { startLocalMode, type LocalMode } from '../../../local/mode';
import { ROLE, settled, userCode, type EngineWorld } from '../../support/engine';
import { clientConfig, s3ClientConfig } from '../../support/local-aws';
import { functionZip } from '../../support/zip';

/**
 * The matrix's clock: one simulated second lasts 2.5 real ms (the engine suites' 5 ms, halved).
 * `FLEDGE_RELIABILITY_TIME_SCALE` overrides it (a slower clock to tell a timing problem from a defect).
 */
export const RELIABILITY_TIME_SCALE = Number(process.env['FLEDGE_RELIABILITY_TIME_SCALE'] ?? 0.005);

/** Where the crash tests read fledge's notifications: an `email-json` subscription keeps the message attributes. */
export const WATCHER = 'reliability@fledge.local';

/** A hook function that always fails (the `newAlias` scenario's `afterTraffic`). */
export const FAILING_HOOK = 'rel-hook-fails';

/**
 * fledge as `fledge local` runs it — the embedded AWS, the control plane, the S3 drop, the
 * deployments API — in this process, on the engine suites' compressed clock. fledge's own SDK
 * clients make one attempt per call, so every injected fault reaches fledge's own handling (the
 * state machine's retries, the doors' answers, Lambda's asynchronous retries) rather than the
 * SDK's, whose backoff would sleep in real time.
 */
export interface ReliabilityWorld {
  readonly mode: LocalMode;
  readonly endpoint: string;
  readonly apiUrl: string;
  /** The test's own clients (a person, CI, production traffic): one attempt each. */
  readonly lambda: LambdaClient;
  readonly s3: S3Client;
  /** The shape test/support/engine.ts's helpers take. */
  readonly engine: EngineWorld;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<ReliabilityWorld> {
  process.env['FLEDGE_LOG'] ??= 'off';
  const mode = await startLocalMode({
    port: 0,
    apiPort: 0,
    dataDir: null,
    timeScale: RELIABILITY_TIME_SCALE,
    discoveryDir: false,
    sdkMaxAttempts: 1,
    // One execution environment per version: each case runs new versions, and a cold start
    // (a worker thread, ~0.1–0.2 s of CPU) is the dearest thing a case does; with four allowed,
    // the traffic arriving during a cold start started three more for nothing.
    aws: { cloudwatch: { evaluationIntervalSeconds: 5 }, lambda: { updateDelayMs: 200, maxEnvironmentsPerVersion: 1 } },
  });
  const lambda = new LambdaClient(clientConfig(mode.aws));
  const s3 = new S3Client(s3ClientConfig(mode.aws));
  const engine: EngineWorld = { aws: mode.aws, plane: mode.plane, lambda, stop: () => Promise.resolve() };
  await lambda.send(new CreateFunctionCommand({ FunctionName: FAILING_HOOK, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip(userCode('hook', { fails: true })) } }));
  await settled(engine, FAILING_HOOK);
  return {
    mode,
    endpoint: mode.aws.endpoint,
    apiUrl: mode.api.url,
    lambda,
    s3,
    engine,
    async stop() {
      lambda.destroy();
      s3.destroy();
      await mode.stop();
    },
  };
}

/**
 * Subscribes `address` (`email-json`: the message attributes are kept) to fledge's approval and
 * notification topics, where a case reads what fledge told people; returns the unsubscribe. Each
 * case watches with an address of its own, so reading its mail does not read every earlier case's.
 */
export async function watch(world: ReliabilityWorld, address: string): Promise<() => Promise<void>> {
  const { plane } = world.mode;
  const subscriptions: string[] = [];
  for (const topicArn of [plane.approvalTopicArn, plane.notificationTopicArn]) {
    const out = await plane.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email-json', Endpoint: address, ReturnSubscriptionArn: true }));
    if (out.SubscriptionArn) subscriptions.push(out.SubscriptionArn);
  }
  return async () => {
    for (const arn of subscriptions) await plane.clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
  };
}

/** Simulated epoch ms. */
export async function simNow(endpoint: string): Promise<number> {
  return (await getClock(endpoint)).now;
}

/** The states of an asynchronous invocation the embedded Lambda has not finished with: it may still run, or be retried. */
const IN_FLIGHT = ['handover', 'queued', 'running'] as const;

/**
 * Asynchronous invocations accepted since `sinceSimMs` that the embedded Lambda has not finished
 * with — an S3 drop's trigger, the safety net's status changes — each still to be handed over,
 * waiting for its next attempt (Lambda's retries, 1 and 2 minutes apart) or running. None: nothing
 * is left that could still start or end a deployment on its own (only the sweeper's schedule).
 */
export async function asyncInFlight(endpoint: string, sinceSimMs: number): Promise<number> {
  const lists = await Promise.all(IN_FLIGHT.map((status) => inspect<{ deliveries: { acceptedAt: string }[] }>(endpoint, 'lambda', 'async', { status })));
  return lists.flatMap((list) => list.deliveries).filter((delivery) => Date.parse(delivery.acceptedAt) >= Math.floor(sinceSimMs)).length;
}

/** Removes every fault rule. */
export async function clearAll(endpoint: string): Promise<void> {
  await clearFaults(endpoint);
}

/** An alias as the embedded Lambda holds it, read without going through its API (so no fault meets the read). */
export async function aliasState(endpoint: string, functionName: string, alias = 'live'): Promise<{ version: string; weights: Record<string, number> } | null> {
  try {
    const out = await inspect<{ functionVersion: string; additionalVersionWeights: Record<string, number> }>(endpoint, 'lambda', `functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}`);
    return { version: out.functionVersion, weights: out.additionalVersionWeights };
  } catch (error) {
    if (error instanceof ControlApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * An execution's status as the embedded Step Functions holds it, or undefined when none has that
 * name. Read from the summaries of all executions: one execution's own view carries its whole
 * history, far more to send and parse than a case polling every 50 ms needs.
 */
export async function executionStatus(endpoint: string, name: string): Promise<string | undefined> {
  const executions = await inspect<{ name: string; status: string }[]>(endpoint, 'states', 'executions');
  return executions.find((execution) => execution.name === name)?.status;
}

/** One notification fledge published, as the watcher received it. */
export interface Notification {
  readonly kind: string;
  readonly deploymentId: string;
  readonly approvalId?: string;
  readonly subject: string;
}

/** The notifications about `deploymentId` that `watcher` ({@link watch}) received so far, oldest first. */
export async function notificationsOf(endpoint: string, deploymentId: string, watcher: string): Promise<Notification[]> {
  const { messages } = await inspect<{ messages: { body: string }[] }>(endpoint, 'sns', 'outbox', { to: watcher });
  const all = messages.map((message) => {
    const envelope = JSON.parse(message.body) as { Subject?: string; MessageAttributes?: Record<string, { Value?: string }> };
    const attribute = (name: string) => envelope.MessageAttributes?.[name]?.Value;
    return { kind: attribute('kind') ?? '?', deploymentId: attribute('deploymentId') ?? '?', ...(attribute('approvalId') ? { approvalId: attribute('approvalId') } : {}), subject: envelope.Subject ?? '' };
  });
  return all.filter((n) => n.deploymentId === deploymentId);
}
