import { S3Client } from '@aws-sdk/client-s3';
import { simulatedTimeRetryStrategy, type LocalAws } from '@fledge-local/embedded-aws';
import { clientCache, clientFrom, USER_AGENT, type ClientCacheOptions, type Composition, type CompositionSettings } from '../functions/lib/composition';

/** SDK clients on the embedded AWS, each built once on first use. */
export interface LocalClients {
  readonly client: Composition['client'];
  readonly clientWith: Composition['clientWith'];
  /** Closes every client built so far. */
  destroy(): void;
}

/**
 * Local mode's one client configuration: the embedded endpoint and region, `maxAttempts` SDK
 * attempts per call (1 leaves every retry to the state machine; 3 is the SDK's default on AWS)
 * whose backoff waits on the simulated clock — in real seconds it would eat minutes of a
 * compressed deployment's deadline, so a throttle could change its outcome —, fledge's user
 * agent, and S3 in path style (a bucket's `*.localhost` name need not resolve).
 */
export function localClients(aws: LocalAws, options: { readonly maxAttempts: number; readonly observe?: ClientCacheOptions['observe'] }): LocalClients {
  const { maxAttempts } = options;
  const config = { endpoint: aws.endpoint, region: aws.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts, retryStrategy: simulatedTimeRetryStrategy(maxAttempts, aws.clock), customUserAgent: [USER_AGENT] };
  const built: { destroy(): void }[] = [];
  const cacheOptions: ClientCacheOptions = {
    extra: new Map([[S3Client, { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }]]),
    observe: (c) => {
      built.push(c as unknown as { destroy(): void });
      options.observe?.(c);
    },
  };
  const client = clientCache(config, cacheOptions);
  return {
    client,
    clientWith: clientFrom(config, cacheOptions),
    destroy: () => {
      for (const c of built.splice(0)) c.destroy();
    },
  };
}

/** What local mode's composition holds beyond its clients. */
export interface LocalCompositionOptions {
  /** What the stack's environment would say: table, topics, state machine, bucket, API URL… */
  readonly settings: CompositionSettings;
  /** The approval-signing key (on AWS: the secret SSM names). */
  readonly approvalSecret: Buffer;
  /** The webhook signing secret's text (on AWS: the secret SSM names). */
  readonly webhookSecret: string;
  /** The outgoing notification webhooks' JSON list (on AWS: the secret SSM names). */
  readonly notificationWebhooks?: string;
  /** The GitHub token of deployment status (on AWS: the secret SSM names). */
  readonly githubToken?: string;
  /** Sees every try of every notification channel (local mode's outbox). */
  readonly onChannelTry?: Composition['onChannelTry'];
}

/**
 * Local mode's composition: fledge's handlers and ports built by the same factories as on Lambda
 * (functions/lib/), over the embedded AWS on its simulated clock, with the secrets local mode
 * keeps itself instead of SSM's.
 */
export function localComposition(aws: LocalAws, clients: Pick<LocalClients, 'client' | 'clientWith'>, options: LocalCompositionOptions): Composition {
  const { approvalSecret, webhookSecret, notificationWebhooks, githubToken, onChannelTry } = options;
  return {
    settings: options.settings,
    clock: { now: () => aws.clock.now(), sleep: (ms) => aws.clock.sleep(ms), timeScale: aws.clock.timeScale },
    client: clients.client,
    clientWith: clients.clientWith,
    approvalSecret: () => Promise.resolve(approvalSecret),
    webhookSecret: () => Promise.resolve(webhookSecret),
    ...(notificationWebhooks === undefined ? {} : { notificationWebhooks: () => Promise.resolve(notificationWebhooks) }),
    ...(githubToken === undefined ? {} : { githubToken: () => Promise.resolve(githubToken) }),
    ...(onChannelTry === undefined ? {} : { onChannelTry }),
  };
}
