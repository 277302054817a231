import type { CallerOperations } from './callers';
import { LambdaApiError } from './errors';
import { parseFunctionName, type LambdaLocation } from './names';

/** One operation of the HTTP API, as routes.ts runs it. */
export interface CallerCall {
  readonly operation: string;
  readonly status: number;
  run(): Promise<unknown> | unknown;
}

const MAPPINGS = /^\/2015-03-31\/event-source-mappings\/?([^/]*)\/?$/;
const POLICY = /^\/2015-03-31\/functions\/([^/]+)\/policy\/?([^/]*)\/?$/;
const URL_CONFIG = /^\/2021-10-31\/functions\/([^/]+)\/(url|urls)\/?$/;

/**
 * The routes of the operations that say who invokes a function (event source mappings, resource
 * policies, function URLs); `undefined` for any other path, which routes.ts then serves.
 */
export function callerRoute(callers: CallerOperations, location: LambdaLocation, method: string, url: URL, json: () => Record<string, unknown>): CallerCall | undefined {
  const q = url.searchParams;
  const mappings = MAPPINGS.exec(url.pathname);
  if (mappings) {
    const uuid = decodeURIComponent(mappings[1] ?? '');
    if (uuid === '') {
      if (method === 'POST') return { operation: 'CreateEventSourceMapping', status: 202, run: () => callers.createEventSourceMapping(json()) };
      if (method === 'GET') return { operation: 'ListEventSourceMappings', status: 200, run: () => callers.listEventSourceMappings(q) };
    } else {
      if (method === 'GET') return { operation: 'GetEventSourceMapping', status: 200, run: () => callers.getEventSourceMapping(uuid) };
      if (method === 'DELETE') return { operation: 'DeleteEventSourceMapping', status: 202, run: () => callers.deleteEventSourceMapping(uuid) };
    }
    return unknown(method, url);
  }
  const policy = POLICY.exec(url.pathname);
  if (policy) {
    const ref = () => parseFunctionName(decodeURIComponent(policy[1] ?? ''), q.get('Qualifier') ?? undefined, location);
    const sid = decodeURIComponent(policy[2] ?? '');
    if (sid === '') {
      if (method === 'POST') return { operation: 'AddPermission', status: 201, run: () => callers.addPermission(ref(), json()) };
      if (method === 'GET') return { operation: 'GetPolicy', status: 200, run: () => callers.getPolicy(ref()) };
    } else if (method === 'DELETE') {
      return { operation: 'RemovePermission', status: 204, run: () => callers.removePermission(ref(), sid) };
    }
    return unknown(method, url);
  }
  const urlConfig = URL_CONFIG.exec(url.pathname);
  if (urlConfig) {
    const ref = () => parseFunctionName(decodeURIComponent(urlConfig[1] ?? ''), q.get('Qualifier') ?? undefined, location);
    if (urlConfig[2] === 'urls') {
      if (method === 'GET') return { operation: 'ListFunctionUrlConfigs', status: 200, run: () => callers.listFunctionUrlConfigs(ref(), q) };
      return unknown(method, url);
    }
    switch (method) {
      case 'POST': return { operation: 'CreateFunctionUrlConfig', status: 201, run: () => callers.createFunctionUrlConfig(ref(), json()) };
      case 'GET': return { operation: 'GetFunctionUrlConfig', status: 200, run: () => callers.getFunctionUrlConfig(ref()) };
      case 'DELETE': return { operation: 'DeleteFunctionUrlConfig', status: 204, run: () => callers.deleteFunctionUrlConfig(ref()) };
    }
    return unknown(method, url);
  }
  return undefined;
}

function unknown(method: string, url: URL): never {
  throw new LambdaApiError('UnknownOperationException', 404, `The embedded Lambda does not implement ${method} ${url.pathname}`, { Type: 'User' });
}
