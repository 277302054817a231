import { SubscribeCommand } from '@aws-sdk/client-sns';
import { provisionControlPlane, scheduleSweeps, startAwsForFledge, type ControlPlaneOptions, type LocalControlPlane } from './fledge-on-local';
import { notificationOutboxOf, type NotificationOutbox } from './notification-outbox';
import { removeDiscovery, writeDiscovery, type LocalDiscovery } from './discovery';
import { localSigningSecret, localWebhookSecret } from './approval-secret';
import { startApiServer } from './api-server';
import { localApiRoutes } from './mode-api';
import { provisionS3Drop } from './mode-trigger';
import type { CloudFormationService, LocalAws, LocalAwsOptions } from '@fledge-local/embedded-aws';
import { LOCAL_MODE_DEFAULTS, LOCAL_STACK_NAME } from './mode-defaults';
import { emailFilterPolicy } from '../shared/model/notification';

export { LOCAL_MODE_DEFAULTS } from './mode-defaults';

/** The deployments API and approval pages served next to the embedded AWS (issue 5's local API server). */
export interface LocalApi {
  /** Base URL, e.g. http://127.0.0.1:4567 */
  readonly url: string;
  stop(): Promise<void>;
}

/** Options of {@link startLocalMode}. */
export interface LocalModeOptions {
  /** Edge port of the embedded AWS; 0 picks a free one. */
  readonly port?: number;
  /** Port of the deployments API and the approval pages; 0 picks a free one. */
  readonly apiPort?: number;
  readonly host?: string;
  /** Where state is kept across restarts; `null` keeps everything in memory. */
  readonly dataDir?: string | null;
  readonly timeScale?: number;
  /** Directory of the discovery file (`.fledge`), or `false` not to write one (the demo, tests). */
  readonly discoveryDir?: string | false;
  /** Address subscribed to the approval and notification topics. */
  readonly email?: string;
  /** Tunables of the embedded AWS beyond the above (the demo shortens alarm evaluation, …). */
  readonly aws?: Omit<LocalAwsOptions, 'port' | 'host' | 'dataDir' | 'timeScale'>;
  /**
   * SDK attempts per call of fledge's own clients (default 3, as on AWS). The reliability suite
   * uses 1, so every injected fault reaches fledge's own handling instead of the SDK's retries,
   * whose backoff sleeps in real time while everything else runs on the compressed clock.
   */
  readonly sdkMaxAttempts?: number;
  /** Outgoing webhooks and GitHub deployment status, as the stack's parameters give them (docs/events.md). */
  readonly notifications?: ControlPlaneOptions['notifications'];
}

/** fledge running locally: the embedded AWS, the control plane on it, and the API. */
export interface LocalMode {
  readonly aws: LocalAws;
  readonly plane: LocalControlPlane;
  readonly api: LocalApi;
  readonly discovery: LocalDiscovery;
  /** Path of the discovery file, when one was written. */
  readonly discoveryFile: string | undefined;
  readonly email: string;
  /** Every try of every notification channel, as it happens (also `GET <endpoint>/_fledge/notifications/outbox`). */
  readonly notificationOutbox: NotificationOutbox | undefined;
  /** Stops the API, the control plane and the embedded AWS, and removes the discovery file. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts fledge on a laptop: the embedded AWS, the control plane provisioned on it exactly as the
 * stack provisions AWS (bucket with the S3 drop, table, topics, state machine from the real ASL,
 * task functions, safety net, and the sweeper every 5 minutes of simulated time), an e-mail
 * subscription so approval requests land in the outbox, the deployments API with the approval
 * pages, and the discovery file through which `--local` commands find all of it.
 *
 * @throws {LocalAwsStartError} when the embedded AWS cannot start (port taken, data directory in use).
 */
export async function startLocalMode(options: LocalModeOptions = {}): Promise<LocalMode> {
  const host = options.host ?? LOCAL_MODE_DEFAULTS.host;
  const timeScale = options.timeScale ?? LOCAL_MODE_DEFAULTS.timeScale;
  const dataDir = options.dataDir === null ? undefined : (options.dataDir ?? LOCAL_MODE_DEFAULTS.dataDir);
  const email = options.email ?? LOCAL_MODE_DEFAULTS.email;
  const aws = await startAwsForFledge({ ...options.aws, port: options.port ?? LOCAL_MODE_DEFAULTS.port, host, dataDir, timeScale });
  let plane: LocalControlPlane | undefined;
  let api: LocalApi | undefined;
  let discoveryFile: string | undefined;
  let stopSweeps: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (discoveryFile !== undefined && options.discoveryDir !== false) await removeDiscovery(options.discoveryDir).catch(() => undefined);
      await stopSweeps?.();
      await api?.stop().catch(() => undefined);
      // The safety net's status-change subscription stays: with a data directory it is kept, so
      // the executions this stop aborts reach the safety net on the next start, which puts their
      // aliases back.
      if (plane) for (const client of Object.values(plane.clients)) client.destroy();
      await aws.stop();
    })());
  try {
    // Kept in the data directory, so links mailed before a restart still verify after it, and
    // receivers keep verifying webhook requests.
    const approvalSecret = await localSigningSecret(aws.dataDir);
    const webhookSecret = await localWebhookSecret(aws.dataDir);
    // Listening first: approval links point under its URL. Its routes come once the plane exists.
    const server = await startApiServer({ port: options.apiPort ?? LOCAL_MODE_DEFAULTS.apiPort, host });
    api = server;
    plane = await provisionControlPlane(aws, { apiUrl: server.url, approvalSecret, webhookSecret, ...(options.sdkMaxAttempts === undefined ? {} : { sdkMaxAttempts: options.sdkMaxAttempts }), ...(options.notifications ? { notifications: options.notifications } : {}) });
    await provisionS3Drop(aws, plane);
    // The repair loop, on the simulated clock: the stack runs it on a 5-minute schedule.
    stopSweeps = scheduleSweeps(aws, plane, { ...(options.aws?.log ? { log: options.aws.log } : {}) });
    // Subscribe is idempotent for the same address: a restart over kept data adds nothing.
    // The failed-events topic too: an event the safety net could not handle may leave an alias split.
    // The deployment topics with the stack's default e-mail filter (approvals and endings); the
    // failed-events topic unfiltered, as in the stack (its messages carry no event kind).
    for (const topicArn of [plane.approvalTopicArn, plane.notificationTopicArn]) {
      await plane.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: email, Attributes: { FilterPolicy: emailFilterPolicy() } }));
    }
    await plane.clients.sns.send(new SubscribeCommand({ TopicArn: plane.failedEventsTopicArn, Protocol: 'email', Endpoint: email }));
    server.route(localApiRoutes(plane.composition));
    // The stack as `fledge stack deploy` would leave it (service fledge, stage local): its outputs,
    // for what reads them (`fledge configure --stack fledge-local --aws-endpoint …`).
    aws.service<CloudFormationService>('cloudformation').putStack({
      stackName: LOCAL_STACK_NAME,
      description: 'fledge local mode: the control plane on the embedded AWS',
      outputs: {
        HttpApiUrl: api.url,
        ArtifactsBucketName: plane.bucket,
        DeploymentsTableName: plane.tableName,
        DeploymentStateMachineArn: plane.stateMachineArn,
        WavesStateMachineArn: plane.wavesStateMachineArn,
        ApprovalTopicArn: plane.approvalTopicArn,
        NotificationTopicArn: plane.notificationTopicArn,
      },
    });
    const discovery: LocalDiscovery = {
      version: 1,
      endpoint: aws.endpoint,
      apiUrl: api.url,
      region: aws.region,
      bucket: plane.bucket,
      tableName: plane.tableName,
      stateMachineArn: plane.stateMachineArn,
      approvalTopicArn: plane.approvalTopicArn,
      notificationTopicArn: plane.notificationTopicArn,
      outboxUrl: `${aws.endpoint}/_fledge/sns/outbox`,
      dataDir: aws.dataDir ?? null,
      timeScale,
      pid: process.pid,
      startedAt: Date.now(),
    };
    if (options.discoveryDir !== false) discoveryFile = await writeDiscovery(discovery, options.discoveryDir);
    return { aws, plane, api, discovery, discoveryFile, email, notificationOutbox: notificationOutboxOf(aws), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
