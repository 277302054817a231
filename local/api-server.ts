import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalAwsError } from '@fledge-local/embedded-aws';
import type { HttpApiEvent, HttpResponse } from '../shared/interfaces/http/http';
import { DASHBOARD_ASSETS, DASHBOARD_CSS, DASHBOARD_HEADERS, DASHBOARD_SCRIPT, dashboardHtml } from '../shared/interfaces/html/dashboard/page';

/** A payload-2.0 handler (`functions/api.ts`, `functions/approval-pages.ts` built over local ports). */
export type LocalHttpHandler = (event: HttpApiEvent, context: { awsRequestId: string; functionName: string }) => Promise<HttpResponse>;

/** The functions behind the local API's routes. */
export interface LocalApiRoutes {
  /** The management routes (`/deployments…`, `/functions…`). */
  readonly api: LocalHttpHandler;
  /** The public signed routes (`/approvals/…`). */
  readonly approvals: LocalHttpHandler;
}

/** Options of {@link startApiServer}. */
export interface ApiServerOptions extends Partial<LocalApiRoutes> {
  /** 0 picks a free port. */
  readonly port?: number;
  /** Loopback unless told otherwise: the management routes have no IAM in front of them locally. */
  readonly host?: string;
}

/** A running local API. */
export interface LocalApiServer {
  /** e.g. http://127.0.0.1:4567 — the CLI's `--endpoint`, and the base of approval links. */
  readonly url: string;
  /**
   * Puts `routes` behind the server. Its URL is known only once it listens, and the control plane
   * needs it (approval links point under it), so the routes may come after: until then it answers 503.
   */
  route(routes: LocalApiRoutes): void;
  stop(): Promise<void>;
}

/** Raised when the local API cannot listen (port taken, …). */
export class ApiServerStartError extends LocalAwsError {
  override readonly name = 'ApiServerStartError';
}

/** API Gateway's own payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * Serves fledge's HTTP API locally as API Gateway would: each request becomes an HTTP API
 * payload-2.0 event (method, raw path and query, lower-case headers, cookies, body — base64
 * unless it is text) for the function that owns the route, and the structured response is
 * written back. No IAM locally: the caller is "local".
 */
export async function startApiServer(options: ApiServerOptions): Promise<LocalApiServer> {
  let routes: LocalApiRoutes | undefined = options.api && options.approvals ? { api: options.api, approvals: options.approvals } : undefined;
  const server = createServer((request, response) => {
    if (routes === undefined) {
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'the local API is still starting' } }));
      return;
    }
    serve(routes, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'InternalError', message: `local API: ${(error as Error).message}` } }));
    });
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    route: (next) => {
      routes = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(options: LocalApiRoutes, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  if (body === undefined) {
    response.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'PayloadTooLarge', message: `request bodies are limited to ${MAX_REQUEST_BYTES} bytes` } }));
    return;
  }
  const event = toEvent(request, body);
  if (serveDashboard(event, response)) return;
  const approvals = event.rawPath === '/approvals' || event.rawPath.startsWith('/approvals/');
  const handler = approvals ? options.approvals : options.api;
  const result = await handler(event, { awsRequestId: event.requestContext.requestId ?? randomUUID(), functionName: approvals ? 'fledge-approvals' : 'fledge-api' });
  const headers: Record<string, string> = { ...result.headers };
  const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(payload.length);
  headers['x-amzn-requestid'] ??= event.requestContext.requestId ?? '';
  response.writeHead(result.statusCode, headers);
  response.end(request.method === 'HEAD' ? undefined : payload);
}

/**
 * The dashboard at the local API's own address (`/dashboard`): the same page `fledge dashboard`
 * serves, talking to this API directly (same origin; local mode has no IAM, the caller is "local").
 */
function serveDashboard(event: HttpApiEvent, response: ServerResponse): boolean {
  if (event.requestContext.http.method !== 'GET') return false;
  const assets: Record<string, readonly [string, string]> = {
    '/dashboard': ['text/html; charset=utf-8', dashboardHtml('', '/dashboard/')],
    '/dashboard/': ['text/html; charset=utf-8', dashboardHtml('', '/dashboard/')],
    [`/dashboard/${DASHBOARD_ASSETS.script}`]: ['text/javascript; charset=utf-8', DASHBOARD_SCRIPT],
    [`/dashboard/${DASHBOARD_ASSETS.style}`]: ['text/css; charset=utf-8', DASHBOARD_CSS],
  };
  const asset = assets[event.rawPath];
  if (!asset) return false;
  response.writeHead(200, { ...DASHBOARD_HEADERS, 'content-type': asset[0] }).end(asset[1]);
  return true;
}

/** Builds the payload-2.0 event API Gateway would send for `request`. */
export function toEvent(request: IncomingMessage, body: Buffer): HttpApiEvent {
  const url = new URL(request.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/).filter(Boolean));
    // API Gateway joins repeated headers with commas.
    else headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  const method = (request.method ?? 'GET').toUpperCase();
  const text = isText(headers['content-type']);
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(queryStringParameters).length > 0 ? { queryStringParameters } : {}),
    requestContext: {
      requestId,
      http: { method, path: url.pathname, sourceIp: request.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64'), isBase64Encoded: !text } : { isBase64Encoded: false }),
  };
}

function isText(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type.startsWith('text/') || type === 'application/json' || type === 'application/x-www-form-urlencoded' || type.endsWith('+json') || type.endsWith('yaml');
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new ApiServerStartError(`the local API cannot listen on ${host}:${port}: ${error.message}`, { cause: error })));
    server.listen(port, host, () => resolve());
  });
}
