import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimClock } from './clock';
import { readBody, signingNameOf } from './edge';
import { createFaultInjector } from './faults';
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
  service<T extends AwsService>(signingName: string): T;
  stop(): Promise<void>;
}

/** A service factory: builds one service over the shared context. */
export type ServiceFactory = (context: LocalContext) => AwsService;

/** The services of the embedded AWS, in start order. Each service module adds its factory here. */
const serviceFactories: ServiceFactory[] = [];

/**
 * Starts the embedded AWS: one HTTP edge endpoint on loopback that routes each request to the
 * service named by its SigV4 credential scope, plus a small control API under /_fledge/.
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const clock = createSimClock(options.timeScale ?? 1);
  const faults = createFaultInjector();
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
  };
  const context: LocalContext = {
    options,
    region,
    accountId: '000000000000',
    clock,
    faults,
    services,
    dataDir: options.dataDir,
    endpoint: () => endpoint,
    log: options.log ?? (() => undefined),
  };
  for (const factory of serviceFactories) {
    const service = factory(context);
    byName.set(service.signingName, service);
  }
  for (const service of byName.values()) await service.start?.();

  const server: Server = createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      context.log(`edge: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ __type: 'InternalFailure', message: 'embedded AWS internal error' }));
    });
  });
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_fledge/')) {
      const [, , name = '', ...rest] = url.pathname.split('/');
      const service = byName.get(name);
      if (request.method === 'GET' && service?.inspect) {
        const state = await service.inspect(rest.join('/'), url.searchParams);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(state));
        return;
      }
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `no control route ${request.method ?? ''} ${url.pathname}` }));
      return;
    }
    const signingName = signingNameOf(request);
    const service = signingName ? byName.get(signingName) : undefined;
    if (!service) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ __type: 'UnrecognizedClientException', message: signingName ? `the embedded AWS does not offer the service '${signingName}'` : 'request is not SigV4-signed: no service to route to' }));
      return;
    }
    await service.handle(request, response, await readBody(request));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  endpoint = `http://${host}:${address.port}`;

  return {
    endpoint,
    region,
    clock,
    faults,
    services,
    service<T extends AwsService>(signingName: string): T {
      const found = byName.get(signingName);
      if (!found) throw new Error(`embedded AWS: no service '${signingName}'`);
      return found as T;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const service of [...byName.values()].reverse()) await service.stop?.();
    },
  };
}
