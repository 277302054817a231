import type { IncomingMessage, ServerResponse } from 'node:http';
import { takeFault } from '../faults';
import { newRequestId, sendAwsQueryError } from '../protocol';
import type { LocalContext } from '../types';
import { parseQuery, toXml, type QueryParams, type XmlValue } from './sns/wire';

/** An error of an awsQuery service: its code, HTTP status and message, as the service renders them. */
export class QueryApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'QueryApiError';
  }
}

/** A query service's operations by action: each answers the action's parsed parameters with its result. */
export type QueryOperations = Readonly<Record<string, (request: IncomingMessage, params: QueryParams) => XmlValue>>;

/**
 * The request handler of a small awsQuery service (STS, CloudFormation): the `Action` parameter
 * picks the operation; an injected fault, an unknown action or a {@link QueryApiError} is answered
 * as an `ErrorResponse`, a result as `<ActionResponse><ActionResult>…` with a request id.
 *
 * @param faultName the service as fault injection names it (`sts`, `cloudformation`).
 * @param describe the service and its API version, for the unknown-action message (`STS`, `2011-06-15`).
 */
export function queryHandler(
  context: LocalContext,
  spec: { readonly faultName: string; readonly xmlns: string; readonly describe: readonly [string, string]; readonly operations: QueryOperations },
): (request: IncomingMessage, response: ServerResponse, body: Buffer) => Promise<void> {
  const { faultName, xmlns, operations } = spec;
  const [name, version] = spec.describe;
  const actions = Object.keys(operations);
  return async (request, response, body) => {
    const params = parseQuery(body, request.url);
    const action = params.get('Action') ?? '';
    try {
      const fault = await takeFault(context, faultName, action);
      if (fault) return sendAwsQueryError(response, { ...fault, xmlns });
      const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!operation) throw new QueryApiError('InvalidAction', 400, `Could not find operation ${action || '(none)'} for version ${version} (the embedded ${name} offers ${actions.join(', ')})`);
      const result = operation(request, params);
      const requestId = newRequestId();
      const text = `<${action}Response xmlns="${xmlns}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
      response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId });
      response.end(text);
    } catch (error) {
      if (!(error instanceof QueryApiError)) throw error;
      sendAwsQueryError(response, { status: error.status, code: error.code, message: error.message, xmlns });
    }
  };
}
