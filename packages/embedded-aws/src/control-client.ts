import type { FaultRequest } from './control';
import { ControlApiError } from './errors';
import type { FaultRule } from './types';

export type { FaultRequest } from './control';

/**
 * Injects a fault into a running embedded AWS: the next `count` matching calls fail (or are
 * delayed) as the rule says. Throws {@link ControlApiError} with the server's reason when refused.
 *
 * @example
 *   await injectFault(aws.endpoint, { service: 'dynamodb', operation: 'PutItem', kind: 'throttle', count: 2 });
 */
export async function injectFault(endpoint: string, rule: FaultRequest): Promise<FaultRule> {
  const body = await call<{ fault: FaultRule }>(endpoint, 'POST', '/_fledge/faults', rule);
  return body.fault;
}

/** The fault rules still active (with the calls each has left). */
export async function listFaults(endpoint: string): Promise<FaultRule[]> {
  return (await call<{ faults: FaultRule[] }>(endpoint, 'GET', '/_fledge/faults')).faults;
}

/** Removes every fault rule; resolves to how many there were. */
export async function clearFaults(endpoint: string): Promise<number> {
  return (await call<{ cleared: number }>(endpoint, 'DELETE', '/_fledge/faults')).cleared;
}

/** The embedded AWS's simulated clock: `now` in epoch ms and the time scale. */
export async function getClock(endpoint: string): Promise<{ now: number; iso: string; timeScale: number }> {
  return call(endpoint, 'GET', '/_fledge/clock');
}

/** The newest lines of the embedded AWS's log (failed asynchronous deliveries, …), oldest first; only those containing `contains` when given. */
export async function getLog(endpoint: string, contains?: string): Promise<{ time: string; message: string }[]> {
  const query = contains === undefined ? '' : `?contains=${encodeURIComponent(contains)}`;
  return (await call<{ lines: { time: string; message: string }[] }>(endpoint, 'GET', `/_fledge/log${query}`)).lines;
}

/** The services that are up. */
export async function getHealth(endpoint: string): Promise<{ status: 'ok'; region: string; services: string[] }> {
  return call(endpoint, 'GET', '/_fledge/health');
}

/** A service's read-only state, served at `/_fledge/<signingName>/<path>`. */
export async function inspect<T = unknown>(endpoint: string, signingName: string, path = '', query: Record<string, string> = {}): Promise<T> {
  const search = new URLSearchParams(query).toString();
  return call<T>(endpoint, 'GET', `/_fledge/${encodeURIComponent(signingName)}/${path}${search ? `?${search}` : ''}`);
}

async function call<T>(endpoint: string, method: string, path: string, body?: unknown): Promise<T> {
  const url = `${endpoint.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  } catch (error) {
    throw new ControlApiError(`${method} ${url}: the embedded AWS did not answer`, 0, { cause: error });
  }
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const reason = (parsed as { error?: unknown } | undefined)?.error;
    throw new ControlApiError(`${method} ${url}: ${typeof reason === 'string' ? reason : `HTTP ${response.status}`}`, response.status);
  }
  return parsed as T;
}
