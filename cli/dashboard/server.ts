import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_ASSETS, DASHBOARD_CSS, DASHBOARD_HEADERS, DASHBOARD_SCRIPT, dashboardHtml } from '../../shared/interfaces/html/dashboard/page';
import { ApiRequestError, ApiUnreachableError, type ApiClient } from '../api-client';

/** The part of the API client the dashboard needs: signed requests to fledge's API. */
export type DashboardApi = Pick<ApiClient, 'request'>;

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  readonly api: DashboardApi;
  /** 0 picks a free port. */
  readonly port: number;
  /** The access token; random (32 bytes) unless given (tests). */
  readonly token?: string;
}

/** A running dashboard. */
export interface Dashboard {
  /** The address to open once: it carries the token, which the page trades for a cookie. */
  readonly url: string;
  /** The address without the token (for messages). */
  readonly origin: string;
  stop(): Promise<void>;
}

const COOKIE = 'fledge_dashboard';
const MAX_BODY_BYTES = 16 * 1024;
const ID = '[A-Za-z0-9_-]{1,80}';
/**
 * The API calls the page may make through this proxy, and nothing else: reading deployments and
 * metrics, and the four decisions. Each is forwarded signed with the user's own credentials.
 */
const ALLOWED: readonly { method: string; path: RegExp }[] = [
  { method: 'GET', path: /^\/deployments$/ },
  { method: 'GET', path: new RegExp(`^/deployments/${ID}(/traffic)?$`) },
  { method: 'POST', path: new RegExp(`^/deployments/${ID}/(approve|reject|stop|promote)$`) },
  { method: 'GET', path: /^\/metrics$/ },
];

/**
 * `fledge dashboard`'s server: the page, its script and stylesheet, and `/api/…`, a proxy that
 * forwards the allowed calls to fledge's API signed (SigV4) by this process — the browser holds
 * no credentials and talks only to this loopback address. Bound to 127.0.0.1. Other local pages
 * cannot drive it: every request needs the per-run token (from the printed URL, traded at once
 * for an HttpOnly SameSite=Strict cookie), the Host must be this address (no DNS rebinding), a
 * decision needs the page's own header (which a cross-origin request cannot send without a CORS
 * preflight, which is never answered), and no CORS header is ever sent.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let origin = '';
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, { error: { code: 'InternalError', message: 'the dashboard failed to answer' } });
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', origin);
    const hosts = [new URL(origin).host, `localhost:${new URL(origin).port}`];
    if (!hosts.includes(request.headers.host ?? '')) return send(response, 421, { error: { code: 'WrongHost', message: 'the dashboard answers only on its own loopback address' } });
    if (request.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      // Trade the token of the printed URL for a cookie, and take it out of the address bar and history.
      if (!same(url.searchParams.get('token') ?? '', token)) return refuse(response);
      response.writeHead(303, { ...DASHBOARD_HEADERS, location: '/', 'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/` }).end();
      return;
    }
    if (!same(cookieOf(request) ?? '', token)) return refuse(response);
    if (request.method === 'GET' && url.pathname === '/') return asset(response, 'text/html; charset=utf-8', dashboardHtml('/api', '/'));
    if (request.method === 'GET' && url.pathname === `/${DASHBOARD_ASSETS.script}`) return asset(response, 'text/javascript; charset=utf-8', DASHBOARD_SCRIPT);
    if (request.method === 'GET' && url.pathname === `/${DASHBOARD_ASSETS.style}`) return asset(response, 'text/css; charset=utf-8', DASHBOARD_CSS);
    if (url.pathname.startsWith('/api/')) return proxy(request, response, url);
    send(response, 404, { error: { code: 'NotFound', message: 'no such page' } });
  }

  async function proxy(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    const path = url.pathname.slice('/api'.length);
    if (!ALLOWED.some((allowed) => allowed.method === method && allowed.path.test(path))) return send(response, 404, { error: { code: 'NotFound', message: `the dashboard does not forward ${method} ${path.slice(0, 100)}` } });
    let json: unknown;
    if (method === 'POST') {
      // A decision must come from the page itself: its header, and (when the browser says) its origin.
      if (request.headers['x-fledge-dashboard'] !== '1' || (request.headers.origin !== undefined && request.headers.origin !== origin)) {
        return send(response, 403, { error: { code: 'Forbidden', message: 'decisions are accepted only from the dashboard page' } });
      }
      const body = await readBody(request);
      if (body === undefined) return send(response, 413, { error: { code: 'PayloadTooLarge', message: `bodies are limited to ${MAX_BODY_BYTES} bytes` } });
      if (body.length > 0) {
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          return send(response, 400, { error: { code: 'BadRequest', message: 'the body is not JSON' } });
        }
      }
    }
    try {
      const answer = await options.api.request(method, `${path}${url.search}`, json === undefined ? {} : { json });
      send(response, 200, answer);
    } catch (error) {
      if (error instanceof ApiRequestError) return send(response, error.status, { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } });
      if (error instanceof ApiUnreachableError) return send(response, 502, { error: { code: 'ApiUnreachable', message: error.message } });
      throw error;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    stop: () => stopServer(server),
  };
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(/;\s*/)) {
    const [name, ...value] = part.split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

function refuse(response: ServerResponse): void {
  response.writeHead(403, { ...DASHBOARD_HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('Open the dashboard with the address `fledge dashboard` printed (it carries this run\'s token).\n');
}

function asset(response: ServerResponse, type: string, body: string): void {
  response.writeHead(200, { ...DASHBOARD_HEADERS, 'content-type': type }).end(body);
}

function send(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { ...DASHBOARD_HEADERS, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
