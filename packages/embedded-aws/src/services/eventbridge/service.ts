import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultNamesByService, takeFault } from '../../faults';
import { newRequestId, sendAwsJsonError, type AwsErrorShape } from '../../protocol';
import type { AwsService, EventsInternal, LocalContext } from '../../types';
import { EventBridgeApiError, unknownOperation, validationError } from './errors';
import { EventBridgeOperations, type Json } from './operations';
import { RuleStore } from './store';

const TARGET_PREFIX = 'AWSEvents.';
const OPERATIONS = ['PutRule', 'DescribeRule', 'ListRules', 'DeleteRule', 'PutTargets', 'RemoveTargets', 'ListTargetsByRule', 'PutEvents'] as const;
type Operation = (typeof OPERATIONS)[number];

/** The embedded EventBridge, with the API the other services emit their events through. */
export interface EventBridgeService extends AwsService {
  readonly internal: EventsInternal;
}

function sendError(response: ServerResponse, error: AwsErrorShape): void {
  sendAwsJsonError(response, { ...error, jsonVersion: '1.1' });
}

/**
 * The embedded EventBridge (awsJson1_1): rules with event patterns on the default bus, Lambda
 * targets, and delivery through the embedded Lambda's asynchronous queue with EventBridge's retry
 * policy. AWS services' events (CloudWatch's "CloudWatch Alarm State Change") come in through
 * `internal.putEvent`; PutEvents takes custom ones.
 */
export function createEventBridgeService(context: LocalContext): EventBridgeService {
  const rules = new RuleStore(context.dataDir);
  const operations = new EventBridgeOperations(context, rules);
  return {
    signingName: 'events',
    internal: {
      putEvent(input) {
        const event = operations.event(input);
        operations.publish(event);
        return event.id;
      },
    },

    async start() {
      rules.load();
    },

    async handle(request: IncomingMessage, response: ServerResponse, body: Buffer) {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      try {
        if (request.method !== 'POST' || !operation) throw unknownOperation(target || '(none)');
        const fault = await takeFault(context, 'events', operation, faultNamesByService.events);
        if (fault) return sendError(response, fault);
        if (!(OPERATIONS as readonly string[]).includes(operation)) throw unknownOperation(operation);
        const output = operations[operation as Operation](parse(body));
        const text = JSON.stringify(output);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': newRequestId() });
        response.end(text);
      } catch (error) {
        if (!(error instanceof EventBridgeApiError)) throw error;
        sendError(response, { status: error.status, code: error.code, message: error.message });
      }
    },

    inspect(path: string) {
      if (path === 'rules') return { rules: rules.all() };
      if (path === 'events') return { events: operations.received };
      return undefined;
    },
  };
}

function parse(body: Buffer): Json {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EventBridgeApiError('SerializationException', 400, `The request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw validationError('The request body must be a JSON object.');
  return parsed as Json;
}
