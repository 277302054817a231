import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBody } from './edge';
import type { LocalLog } from './log';
import type { AwsService, FaultInjector, SimClock } from './types';

/** Body of `POST /_fledge/faults`: which calls fail (or slow down), how, and how many times. */
export const faultRequestSchema = z
  .object({
    /** SigV4 signing name of the service: s3, dynamodb, lambda, monitoring, sns, states. */
    service: z.string().min(1),
    /** AWS operation name (`PutItem`, `UpdateAlias`), or `*` (the default) for every operation. */
    operation: z.string().min(1).default('*'),
    kind: z.enum(['throttle', 'serverError', 'error', 'latency']),
    /** Error code to answer with; required for `error`, overrides the service's own name otherwise. */
    code: z.string().regex(/^[A-Za-z][A-Za-z0-9.]*$/, 'must be an AWS error code such as ResourceNotFoundException').optional(),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    /** Simulated milliseconds a `latency` fault delays each call. */
    latencyMs: z.number().int().min(0).optional(),
    /** How many matching calls the fault affects. */
    count: z.number().int().min(1),
  })
  .strict()
  .refine((rule) => rule.kind !== 'error' || rule.code !== undefined, { message: "a fault of kind 'error' needs a code", path: ['code'] })
  .refine((rule) => rule.kind !== 'latency' || rule.latencyMs !== undefined, { message: "a fault of kind 'latency' needs latencyMs", path: ['latencyMs'] });

/** A fault as posted to the control API (`operation` defaults to `*`). */
export type FaultRequest = z.input<typeof faultRequestSchema>;

/** What the control API needs from the running embedded AWS. */
export interface ControlTarget {
  readonly services: ReadonlyMap<string, AwsService>;
  readonly faults: FaultInjector;
  readonly clock: SimClock;
  readonly region: string;
  readonly log: Pick<LocalLog, 'recent'>;
}

/**
 * Serves the control and inspection API under `/_fledge/`:
 * `POST|GET|DELETE /_fledge/faults`, `GET /_fledge/clock`, `GET /_fledge/health`,
 * `GET /_fledge/log` (the newest lines of the embedded AWS's log, `?contains=` to filter), and
 * `GET /_fledge/<signingName>/<path>` for each service's read-only state.
 */
export async function handleControl(request: IncomingMessage, response: ServerResponse, url: URL, target: ControlTarget): Promise<void> {
  const [, , name = '', ...rest] = url.pathname.split('/');
  const method = request.method ?? 'GET';
  if (name === 'faults' && rest.length === 0) return handleFaults(request, response, method, target);
  if (name === 'clock' && rest.length === 0 && method === 'GET') {
    return sendJson(response, 200, { now: target.clock.now(), iso: new Date(target.clock.now()).toISOString(), timeScale: target.clock.timeScale });
  }
  if (name === 'log' && rest.length === 0 && method === 'GET') {
    return sendJson(response, 200, { lines: target.log.recent(url.searchParams.get('contains') ?? undefined) });
  }
  if (name === 'health' && rest.length === 0 && method === 'GET') {
    return sendJson(response, 200, { status: 'ok', region: target.region, services: [...target.services.keys()] });
  }
  const service = target.services.get(name);
  if (method === 'GET' && service?.inspect) {
    const state = await service.inspect(rest.join('/'), url.searchParams);
    if (state === undefined) return sendJson(response, 404, { error: `${name} has nothing to show at '${rest.join('/')}'` });
    return sendJson(response, 200, state);
  }
  return sendJson(response, 404, { error: `no control route ${method} ${url.pathname}` });
}

async function handleFaults(request: IncomingMessage, response: ServerResponse, method: string, target: ControlTarget): Promise<void> {
  if (method === 'GET') return sendJson(response, 200, { faults: target.faults.list() });
  if (method === 'DELETE') {
    const cleared = target.faults.list().length;
    target.faults.clear();
    return sendJson(response, 200, { cleared });
  }
  if (method !== 'POST') return sendJson(response, 405, { error: `${method} is not allowed on /_fledge/faults; use GET, POST or DELETE` });
  const text = (await readBody(request)).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return sendJson(response, 400, { error: `POST /_fledge/faults: body is not JSON (${(error as Error).message})` });
  }
  const parsed = faultRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    return sendJson(response, 400, { error: `POST /_fledge/faults: invalid fault: ${problems.join('; ')}`, problems });
  }
  if (!target.services.has(parsed.data.service)) {
    const running = [...target.services.keys()].join(', ') || 'none';
    return sendJson(response, 400, { error: `POST /_fledge/faults: service: no service '${parsed.data.service}' is running (running: ${running})`, problems: [`service: unknown service '${parsed.data.service}'`] });
  }
  target.faults.add(parsed.data);
  return sendJson(response, 201, { fault: target.faults.list().at(-1) });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
