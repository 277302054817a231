import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { clearFaults, ControlApiError, getClock, inspect } from '@fledge-local/embedded-aws';
import { startLocalMode, type LocalMode } from '../../../local/mode';
import { ROLE, settled, TIME_SCALE, userCode, type EngineWorld } from '../../support/engine';
import { clientConfig, s3ClientConfig } from '../../support/local-aws';
import { functionZip } from '../../support/zip';

/** Where the suite reads fledge's notifications: an `email-json` subscription keeps the message attributes. */
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
    timeScale: TIME_SCALE,
    discoveryDir: false,
    sdkMaxAttempts: 1,
    aws: { cloudwatch: { evaluationIntervalSeconds: 5 }, lambda: { updateDelayMs: 200 } },
  });
  const lambda = new LambdaClient(clientConfig(mode.aws));
  const s3 = new S3Client(s3ClientConfig(mode.aws));
  for (const topicArn of [mode.plane.approvalTopicArn, mode.plane.notificationTopicArn]) {
    await mode.plane.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email-json', Endpoint: WATCHER }));
  }
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

/** Simulated epoch ms. */
export async function simNow(endpoint: string): Promise<number> {
  return (await getClock(endpoint)).now;
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

/** An execution's status as the embedded Step Functions holds it, or undefined when none has that name. */
export async function executionStatus(endpoint: string, name: string): Promise<string | undefined> {
  try {
    return (await inspect<{ status: string }>(endpoint, 'states', `executions/${encodeURIComponent(name)}`)).status;
  } catch (error) {
    if (error instanceof ControlApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** One notification fledge published, as the watcher received it. */
export interface Notification {
  readonly kind: string;
  readonly deploymentId: string;
  readonly approvalId?: string;
  readonly subject: string;
}

/** The notifications about `deploymentId` so far, oldest first. */
export async function notificationsOf(endpoint: string, deploymentId: string): Promise<Notification[]> {
  const { messages } = await inspect<{ messages: { body: string }[] }>(endpoint, 'sns', 'outbox', { to: WATCHER });
  const all = messages.map((message) => {
    const envelope = JSON.parse(message.body) as { Subject?: string; MessageAttributes?: Record<string, { Value?: string }> };
    const attribute = (name: string) => envelope.MessageAttributes?.[name]?.Value;
    return { kind: attribute('kind') ?? '?', deploymentId: attribute('deploymentId') ?? '?', ...(attribute('approvalId') ? { approvalId: attribute('approvalId') } : {}), subject: envelope.Subject ?? '' };
  });
  return all.filter((n) => n.deploymentId === deploymentId);
}
