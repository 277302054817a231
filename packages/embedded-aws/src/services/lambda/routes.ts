import type { IncomingMessage, ServerResponse } from 'node:http';
import { newRequestId, sendRestJsonError } from '../../protocol';
import type { AliasOperations } from './aliases';
import { callerRoute } from './caller-routes';
import type { CallerOperations } from './callers';
import type { LambdaControlPlane } from './control-plane';
import type { EventInvokeConfigOperations } from './event-invoke-config';
import type { ProvisionedConcurrencyOperations } from './provisioned-concurrency';
import { invalidRequestContent, LambdaApiError, serviceException, validation, validationMessage } from './errors';
import type { Invoker } from './invoker';
import { parseFunctionName, type LambdaLocation } from './names';
import { paginate } from './paging';

/** The operations behind the HTTP API. */
export interface LambdaApi {
  readonly plane: LambdaControlPlane;
  readonly aliases: AliasOperations;
  readonly eventInvokeConfigs: EventInvokeConfigOperations;
  /** Event source mappings, resource policies and function URLs: who invokes a function. */
  readonly callers: CallerOperations;
  readonly provisionedConcurrency: ProvisionedConcurrencyOperations;
  readonly invoker: Invoker;
  readonly location: LambdaLocation;
  readonly takeFault: (operation: string) => Promise<LambdaApiError | undefined>;
  readonly log: (message: string) => void;
}

interface Call {
  readonly operation: string;
  /** Success status, as the API model declares it. */
  readonly status: number;
  run(): Promise<unknown> | unknown;
}

const PREFIX = '/2015-03-31/functions';
const EVENT_INVOKE_CONFIG = /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config(\/list)?\/?$/;
const PROVISIONED_CONCURRENCY = /^\/2019-09-30\/functions\/([^/]+)\/provisioned-concurrency\/?$/;
const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'] as const;

/**
 * Serves Lambda's restJson1 API (`/2015-03-31/functions/...`): routes the request to its
 * operation, applies injected faults, and renders results and errors as AWS does.
 */
export async function handleLambdaRequest(api: LambdaApi, request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
  try {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations\/?$/.test(url.pathname)) {
      await invoke(api, request, response, url, body);
      return;
    }
    const call = route(api, method, url, body);
    const fault = await api.takeFault(call.operation);
    if (fault) throw fault;
    const result = await call.run();
    sendJson(response, call.status, result);
  } catch (error) {
    sendError(api, response, error);
  }
}

function route(api: LambdaApi, method: string, url: URL, body: Buffer): Call {
  const callers = callerRoute(api.callers, api.location, method, url, () => parseJson(body));
  if (callers) return callers;
  const eventInvokeConfig = EVENT_INVOKE_CONFIG.exec(url.pathname);
  if (eventInvokeConfig) return eventInvokeConfigRoute(api, method, url, body, decodeURIComponent(eventInvokeConfig[1] ?? ''), eventInvokeConfig[2] !== undefined);
  const provisioned = PROVISIONED_CONCURRENCY.exec(url.pathname);
  if (provisioned) return provisionedConcurrencyRoute(api, method, url, body, decodeURIComponent(provisioned[1] ?? ''));
  const segments = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent) : undefined;
  const q = url.searchParams;
  const ref = (qualifier: string | null = null) => parseFunctionName(segments?.[0], qualifier ?? undefined, api.location);
  const json = () => parseJson(body);
  const { plane, aliases } = api;
  const [fn, resource, aliasName, extra] = segments ?? [];
  if (segments && extra === undefined) {
    if (fn === undefined) {
      if (method === 'POST') {
        return {
          operation: 'CreateFunction',
          status: 201,
          run: () => {
            const input = json();
            return plane.createFunction(parseFunctionName(str(input.FunctionName), undefined, api.location), input);
          },
        };
      }
      if (method === 'GET') return { operation: 'ListFunctions', status: 200, run: () => listFunctions(api, q) };
    } else if (resource === undefined) {
      if (method === 'GET') return { operation: 'GetFunction', status: 200, run: () => plane.getFunction(ref(q.get('Qualifier'))) };
      if (method === 'DELETE') return { operation: 'DeleteFunction', status: 204, run: () => plane.deleteFunction(ref(q.get('Qualifier'))) };
    } else if (aliasName === undefined) {
      const key = `${method} ${resource}`;
      switch (key) {
        case 'GET configuration': return { operation: 'GetFunctionConfiguration', status: 200, run: () => plane.getFunctionConfiguration(ref(q.get('Qualifier'))) };
        case 'PUT configuration': return { operation: 'UpdateFunctionConfiguration', status: 200, run: () => plane.updateFunctionConfiguration(ref(), json()) };
        case 'PUT code': return { operation: 'UpdateFunctionCode', status: 200, run: () => plane.updateFunctionCode(ref(), json()) };
        case 'POST versions': return { operation: 'PublishVersion', status: 201, run: () => plane.publishVersion(ref(), json()) };
        case 'GET versions': return { operation: 'ListVersionsByFunction', status: 200, run: () => plane.listVersions(ref(), q.get('Marker'), q.get('MaxItems')) };
        case 'POST aliases': return { operation: 'CreateAlias', status: 201, run: () => aliases.create(ref(), json()) };
        case 'GET aliases': return { operation: 'ListAliases', status: 200, run: () => aliases.list(ref(), q.get('FunctionVersion'), q.get('Marker'), q.get('MaxItems')) };
      }
    } else if (resource === 'aliases') {
      if (method === 'GET') return { operation: 'GetAlias', status: 200, run: () => aliases.get(ref(), aliasName) };
      if (method === 'PUT') return { operation: 'UpdateAlias', status: 200, run: () => aliases.update(ref(), aliasName, json()) };
      if (method === 'DELETE') return { operation: 'DeleteAlias', status: 204, run: () => aliases.delete(ref(), aliasName) };
    }
  }
  throw new LambdaApiError('UnknownOperationException', 404, `The embedded Lambda does not implement ${method} ${url.pathname}`, { Type: 'User' });
}

/** `/2019-09-25/functions/{FunctionName}/event-invoke-config[/list]`: the function's asynchronous invocation settings. */
function eventInvokeConfigRoute(api: LambdaApi, method: string, url: URL, body: Buffer, functionName: string, list: boolean): Call {
  const q = url.searchParams;
  const ref = () => parseFunctionName(functionName, q.get('Qualifier') ?? undefined, api.location);
  const configs = api.eventInvokeConfigs;
  if (list && method === 'GET') return { operation: 'ListFunctionEventInvokeConfigs', status: 200, run: () => configs.list(ref(), q.get('Marker'), q.get('MaxItems')) };
  if (!list) {
    switch (method) {
      case 'PUT': return { operation: 'PutFunctionEventInvokeConfig', status: 200, run: () => configs.put(ref(), parseJson(body)) };
      case 'POST': return { operation: 'UpdateFunctionEventInvokeConfig', status: 200, run: () => configs.update(ref(), parseJson(body)) };
      case 'GET': return { operation: 'GetFunctionEventInvokeConfig', status: 200, run: () => configs.get(ref()) };
      case 'DELETE': return { operation: 'DeleteFunctionEventInvokeConfig', status: 204, run: () => configs.delete(ref()) };
    }
  }
  throw new LambdaApiError('UnknownOperationException', 404, `The embedded Lambda does not implement ${method} ${url.pathname}`, { Type: 'User' });
}

/** `/2019-09-30/functions/{FunctionName}/provisioned-concurrency`: PC configurations of a version or alias (`?List=ALL` lists them). */
function provisionedConcurrencyRoute(api: LambdaApi, method: string, url: URL, body: Buffer, functionName: string): Call {
  const q = url.searchParams;
  const ref = () => parseFunctionName(functionName, q.get('Qualifier') ?? undefined, api.location);
  const pc = api.provisionedConcurrency;
  if (method === 'GET' && q.get('List') === 'ALL') return { operation: 'ListProvisionedConcurrencyConfigs', status: 200, run: () => pc.list(ref(), q.get('Marker'), q.get('MaxItems')) };
  switch (method) {
    case 'PUT': return { operation: 'PutProvisionedConcurrencyConfig', status: 202, run: () => pc.put(ref(), parseJson(body)) };
    case 'GET': return { operation: 'GetProvisionedConcurrencyConfig', status: 200, run: () => pc.get(ref()) };
    case 'DELETE': return { operation: 'DeleteProvisionedConcurrencyConfig', status: 204, run: () => pc.delete(ref()) };
  }
  throw new LambdaApiError('UnknownOperationException', 404, `The embedded Lambda does not implement ${method} ${url.pathname}`, { Type: 'User' });
}

async function invoke(api: LambdaApi, request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer): Promise<void> {
  const name = decodeURIComponent(url.pathname.slice(PREFIX.length + 1).split('/')[0] ?? '');
  const ref = parseFunctionName(name, url.searchParams.get('Qualifier') ?? undefined, api.location);
  const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!(INVOCATION_TYPES as readonly string[]).includes(invocationType)) {
    throw validation(validationMessage(invocationType, 'invocationType', `Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`));
  }
  const logType = header(request, 'x-amz-log-type') ?? 'None';
  if (logType !== 'None' && logType !== 'Tail') throw validation(validationMessage(logType, 'logType', 'Member must satisfy enum value set: [None, Tail]'));
  const outcome = await api.invoker.invoke({ ref, payload: body, invocationType: invocationType as (typeof INVOCATION_TYPES)[number], logType });
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': outcome.payload.length,
    'x-amzn-requestid': newRequestId(),
    'x-amz-executed-version': outcome.executedVersion,
  };
  if (outcome.functionError) headers['x-amz-function-error'] = outcome.functionError;
  if (outcome.logTail !== undefined) headers['x-amz-log-result'] = outcome.logTail;
  response.writeHead(outcome.statusCode, headers);
  response.end(outcome.payload);
}

function listFunctions(api: LambdaApi, q: URLSearchParams): Record<string, unknown> {
  const all = [...api.plane.functions.values()].sort((a, b) => a.name.localeCompare(b.name));
  const page = paginate(all, q.get('Marker'), q.get('MaxItems'));
  return {
    Functions: page.items.map((fn) => {
      api.plane.settleAll(fn);
      return api.plane.configuration(fn, fn.latest);
    }),
    NextMarker: page.nextMarker,
  };
}

function sendJson(response: ServerResponse, status: number, result: unknown): void {
  const text = status === 204 || result === undefined ? '' : JSON.stringify(result);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': newRequestId() });
  response.end(text);
}

function sendError(api: LambdaApi, response: ServerResponse, error: unknown): void {
  let failure: LambdaApiError;
  if (error instanceof LambdaApiError) {
    failure = error;
  } else {
    api.log(`lambda: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    failure = serviceException(`The embedded Lambda failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  for (const [name, value] of Object.entries(failure.headers)) response.setHeader(name, value);
  sendRestJsonError(response, { status: failure.status, code: failure.code, message: failure.message, fields: failure.fields });
}

function parseJson(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the body is not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw invalidRequestContent(`Could not parse request body into json: ${(error as Error).message}`);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
