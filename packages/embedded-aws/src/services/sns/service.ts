import type { IncomingMessage, ServerResponse } from 'node:http';
import { faultNamesByService, takeFault } from '../../faults';
import { sendAwsQueryError, type AwsErrorShape } from '../../protocol';
import type { AwsService, LocalContext, SnsInternal } from '../../types';
import { Deliverer } from './delivery';
import { invalidAction, SnsApiError } from './errors';
import { SnsOperations, type ActionResult } from './operations';
import { Outbox } from './outbox';
import { SnsStore } from './store';
import { parseQuery, replyDocument, SNS_XMLNS, type QueryParams } from './wire';

const ACTIONS = [
  'CreateTopic', 'DeleteTopic', 'ListTopics', 'GetTopicAttributes', 'SetTopicAttributes',
  'Subscribe', 'ConfirmSubscription', 'Unsubscribe', 'ListSubscriptions', 'ListSubscriptionsByTopic',
  'GetSubscriptionAttributes', 'SetSubscriptionAttributes', 'Publish',
] as const;
type Action = (typeof ACTIONS)[number];

/** The embedded SNS, with the API CloudWatch alarm actions publish through. */
export interface SnsService extends AwsService {
  readonly internal: SnsInternal;
  /** The email outbox (also at `GET /_fledge/sns/outbox`). */
  readonly outbox: Outbox;
}

function sendError(response: ServerResponse, error: AwsErrorShape): void {
  sendAwsQueryError(response, { ...error, xmlns: SNS_XMLNS });
}

/**
 * The embedded SNS (awsQuery: form-encoded requests, XML replies, as the current SDK speaks it):
 * topics, subscriptions confirmed at once, Publish with asynchronous delivery to http/https
 * endpoints, Lambda functions and an inspectable email outbox.
 */
export function createSnsService(context: LocalContext): SnsService {
  const options = context.options.sns ?? {};
  const attempts = options.httpAttempts ?? 3;
  const httpTimeoutMs = options.httpTimeoutMs ?? 5000;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`sns.httpAttempts must be a positive integer, got ${String(attempts)}`);
  if (!(httpTimeoutMs > 0)) throw new RangeError(`sns.httpTimeoutMs must be a positive number, got ${String(httpTimeoutMs)}`);
  const store = new SnsStore(context.dataDir);
  const outbox = new Outbox(context.dataDir);
  const deliverer = new Deliverer(context, outbox, { attempts, httpTimeoutMs });
  const operations = new SnsOperations(context, store, deliverer);

  return {
    signingName: 'sns',
    outbox,
    internal: {
      // Rejects with the SnsApiError the Publish API would answer (NotFound for an unknown topic).
      publish: async (input) => operations.publish(input),
    },

    async start() {
      store.load();
    },

    async stop() {
      await deliverer.stop();
    },

    async handle(request: IncomingMessage, response: ServerResponse, body: Buffer) {
      const params: QueryParams = parseQuery(body, request.url);
      const action = params.get('Action') ?? '';
      try {
        const fault = await takeFault(context, 'sns', action, faultNamesByService.sns);
        if (fault) return sendError(response, fault);
        if (!(ACTIONS as readonly string[]).includes(action)) throw invalidAction(action || '(none)');
        const version = params.get('Version');
        if (version !== undefined && version !== '2010-03-31') throw new SnsApiError('InvalidParameterValue', 400, `Version ${version} is not supported; the SNS API version is 2010-03-31.`);
        const result: ActionResult = operations[action as Action](params);
        const { body: text, requestId } = replyDocument(action, result);
        response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId });
        response.end(text);
      } catch (error) {
        if (!(error instanceof SnsApiError)) throw error;
        sendError(response, { status: error.status, code: error.code, message: error.message });
      }
    },

    inspect(path: string, query: URLSearchParams) {
      if (path === 'outbox') return { messages: outbox.list({ to: query.get('to') ?? undefined, topicArn: query.get('topicArn') ?? undefined }) };
      if (path === 'deliveries') return { deliveries: deliverer.records };
      if (path === 'topics') {
        return {
          topics: [...store.topics.values()].map((topic) => ({
            ...topic,
            subscriptions: store.subscriptionsOf(topic.arn).map(({ token: _token, ...subscription }) => subscription),
          })),
        };
      }
      return undefined;
    },
  };
}
