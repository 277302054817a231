import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { createSimClock } from './clock';
import { handleControl } from './control';
import { accountOfAccessKey, credentialScopeOf, DEFAULT_ACCOUNT_ID } from './accounts';
import { readBody, signingNameOf } from './edge';
import { LocalAwsStartError } from './errors';
import { createFaultInjector } from './faults';
import { createLocalLog } from './log';
import { createCloudWatchService } from './services/cloudwatch/service';
import { createEventBridgeService } from './services/eventbridge/service';
import { createDynamoDbService } from './services/dynamodb/service';
import { createLambdaService } from './services/lambda';
import { createS3Service } from './services/s3/service';
import { createSnsService } from './services/sns/service';
import { createStepFunctionsService } from './services/stepfunctions';
import { createStsService } from './services/sts/service';
import { createCloudFormationService } from './services/cloudformation/service';
import { Partitions, PARTITIONED_SERVICES, type PartitionKey } from './partitions';
import type { AwsService, FaultInjector, LambdaInternal, LocalAwsOptions, LocalContext, MetricsInternal, S3Internal, ServiceRegistry, SimClock } from './types';

export type { LocalAwsOptions } from './types';

/** A running embedded AWS. */
export interface LocalAws {
  /** e.g. http://127.0.0.1:4566 — set as AWS_ENDPOINT_URL for the SDK clients. */
  readonly endpoint: string;
  readonly region: string;
  readonly clock: SimClock;
  readonly faults: FaultInjector;
  readonly services: ServiceRegistry;
  /** Absolute data directory, or undefined when everything is in memory. */
  readonly dataDir: string | undefined;
  /** The embedded AWS's log file (`<dataDir>/embedded-aws.log`), or undefined without a data directory; the newest lines are also at `GET /_fledge/log`. */
  readonly logFile: string | undefined;
  /** SigV4 signing names of the services that are up, in start order. */
  readonly serviceNames: readonly string[];
  service<T extends AwsService>(signingName: string): T;
  /**
   * Service `signingName` of one account and region (Lambda and CloudWatch are served per account
   * and region; any other name is the shared service), built on first use. The embedded AWS's own
   * account (`000000000000`) and region is the default partition, the services {@link service} returns.
   */
  partitionService<T extends AwsService>(key: PartitionKey, signingName: string): Promise<T>;
  stop(): Promise<void>;
}

/** A service factory: builds one service over the shared context. */
export type ServiceFactory = (context: LocalContext) => AwsService;

/**
 * The services of the embedded AWS, in start order. Each service module adds its factory here
 * (one import above, one entry below). Later services may use earlier ones' `internal` API only
 * lazily, through `context.services`, so the order matters for start/stop only. A factory only
 * builds: it does no I/O (that is `start()`'s job), since a test may replace its service unstarted.
 */
const serviceFactories: ServiceFactory[] = [
  createS3Service,
  createDynamoDbService,
  createCloudWatchService,
  createEventBridgeService,
  createSnsService,
  createLambdaService,
  createStepFunctionsService,
  createStsService,
  createCloudFormationService,
];

/** Test and embedding hooks that are not options of the embedded AWS itself. */
export interface StartHooks {
  /** Extra services; one with the signing name of a built-in service replaces it (e.g. a stub Lambda in a test). */
  readonly factories?: readonly ServiceFactory[];
}

/**
 * Starts the embedded AWS: one HTTP edge endpoint on loopback that routes each request to the
 * service named by its SigV4 credential scope, plus a small control API under /_fledge/.
 *
 * @throws {LocalAwsStartError} when the port is taken, the data directory cannot be created, or a
 *   service fails to start; nothing is left running then.
 */
export async function startLocalAws(options: LocalAwsOptions = {}, hooks: StartHooks = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const clock = createSimClock(options.timeScale ?? 1);
  const faults = createFaultInjector();
  const dataDir = options.dataDir === undefined ? undefined : resolvePath(options.dataDir);
  if (dataDir !== undefined) {
    try {
      await mkdir(dataDir, { recursive: true });
    } catch (error) {
      throw new LocalAwsStartError(`cannot create the data directory ${dataDir}: ${(error as Error).message}`, { cause: error });
    }
  }
  const log = createLocalLog({ dataDir, clock, forward: options.log, escape: options.escapeLogLine });
  const byName = new Map<string, AwsService>();
  let endpoint = '';
  const lookup = <T>(signingName: string, what: string): T => {
    const service = byName.get(signingName);
    if (!service?.internal) throw new Error(`embedded AWS: the ${signingName} service (${what}) is not running`);
    return service.internal as T;
  };
  const services: ServiceRegistry = {
    get lambda() { return lookup<LambdaInternal>('lambda', 'Lambda'); },
    get metrics() { return lookup<MetricsInternal>('monitoring', 'CloudWatch'); },
    get s3() { return lookup<S3Internal>('s3', 'S3'); },
    get sns() { return byName.get('sns')?.internal as ServiceRegistry['sns']; },
    get events() { return byName.get('events')?.internal as ServiceRegistry['events']; },
  };
  const context: LocalContext = {
    options,
    region,
    accountId: DEFAULT_ACCOUNT_ID,
    clock,
    faults,
    services,
    dataDir,
    endpoint: () => endpoint,
    log: (message) => log.write(message),
  };
  const factoryByName = new Map<string, ServiceFactory>();
  for (const factory of [...serviceFactories, ...(hooks.factories ?? [])]) {
    const service = factory(context);
    byName.set(service.signingName, service);
    factoryByName.set(service.signingName, factory);
  }
  const partitions = new Partitions(context, factoryByName, () => services);
  const started: AwsService[] = [];
  const stopServices = async (): Promise<void> => {
    for (const service of started.reverse()) {
      try {
        await service.stop?.();
      } catch (error) {
        context.log(`embedded AWS: stopping ${service.signingName} failed: ${(error as Error).message}`);
      }
    }
    started.length = 0;
    await partitions.stop();
  };
  try {
    for (const service of byName.values()) {
      await service.start?.();
      started.push(service);
    }
    await partitions.restore();
  } catch (error) {
    await stopServices();
    throw new LocalAwsStartError(`embedded AWS: a service failed to start: ${(error as Error).message}`, { cause: error });
  }

  const server: Server = createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      context.log(`edge: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ __type: 'InternalFailure', message: 'embedded AWS internal error' }));
    });
  });
  // Node closes idle keep-alive sockets after 5 s, racing SDK clients that reuse them (ECONNRESET on
  // a request that was never read). AWS endpoints keep connections far longer; so does the edge.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Lambda and CloudWatch answer for the account of the request's access key and the region of its credential scope.
  const serviceFor = async (request: IncomingMessage, signingName: string): Promise<AwsService | undefined> => {
    const scope = credentialScopeOf(request);
    if (scope === undefined || !PARTITIONED_SERVICES.includes(signingName)) return byName.get(signingName);
    const key = { accountId: accountOfAccessKey(scope.accessKeyId, context.accountId), region: scope.region };
    return partitions.isDefault(key) ? byName.get(signingName) : partitions.service(key, signingName);
  };
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_fledge/')) {
      return handleControl(request, response, url, { services: byName, faults, clock, region, log });
    }
    const signingName = signingNameOf(request);
    const service = signingName ? await serviceFor(request, signingName) : undefined;
    if (!service) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ __type: 'UnrecognizedClientException', message: signingName ? `the embedded AWS does not offer the service '${signingName}'` : 'request is not SigV4-signed: no service to route to' }));
      return;
    }
    await service.handle(request, response, await readBody(request));
  };

  const port = options.port ?? 4566;
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await stopServices();
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EADDRINUSE' ? 'the port is already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'no such local address' : (error as Error).message;
    throw new LocalAwsStartError(`embedded AWS: cannot listen on ${host}:${port}: ${reason}`, { cause: error });
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  endpoint = `http://${shownHost}:${address.port}`;

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    region,
    clock,
    faults,
    services,
    dataDir,
    logFile: log.file,
    serviceNames: [...byName.keys()],
    service<T extends AwsService>(signingName: string): T {
      const found = byName.get(signingName);
      if (!found) throw new Error(`embedded AWS: no service '${signingName}'`);
      return found as T;
    },
    async partitionService<T extends AwsService>(key: PartitionKey, signingName: string): Promise<T> {
      const found = PARTITIONED_SERVICES.includes(signingName) && !partitions.isDefault(key) ? await partitions.service(key, signingName) : byName.get(signingName);
      if (!found) throw new Error(`embedded AWS: no service '${signingName}'`);
      return found as T;
    },
    stop() {
      // Idempotent: a test's afterEach and a signal handler may both stop it.
      stopping ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stopServices();
      })();
      return stopping;
    },
  };
}
