import { randomUUID } from 'node:crypto';
import { parseFilterPolicy, passesFilterPolicy } from './filter-policy';
import type { LocalContext } from '../../types';
import type { Deliverer } from './delivery';
import { invalidParameter, notFound, SnsApiError } from './errors';
import type { Notification } from './messages';
import { PROTOCOLS, type Protocol, type SnsStore, type Subscription, type Topic } from './store';
import { indexed, mapToXml, optional, required, stringMap, toXml, type QueryParams } from './wire';

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256})$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const MAX_MESSAGE_BYTES = 262_144;
const PAGE = 100;
/** Subscription attributes the embedded SNS honours (RawMessageDelivery) or stores without effect. */
const SUBSCRIPTION_ATTRIBUTES = new Set(['RawMessageDelivery', 'DeliveryPolicy', 'RedrivePolicy', 'FilterPolicy']);

/** The result XML of an action, or undefined for actions with an empty result. */
export type ActionResult = string | undefined;

/** What Publish takes, from the API or from a sibling service (CloudWatch alarm actions). */
export interface PublishInput {
  readonly topicArn: string;
  readonly message: string;
  readonly subject?: string;
  readonly messageStructure?: string;
  readonly messageAttributes?: Notification['messageAttributes'];
}

/** The SNS actions over a store of topics and subscriptions and a deliverer. */
export class SnsOperations {
  constructor(
    private readonly context: LocalContext,
    private readonly store: SnsStore,
    private readonly deliverer: Deliverer,
  ) {}

  CreateTopic(params: QueryParams): ActionResult {
    const name = required(params, 'Name');
    const attributes = stringMap(params, 'Attributes');
    const tags = Object.fromEntries(indexed(params, 'Tags.member').map((t) => [t.Key ?? '', t.Value ?? '']));
    if (name.endsWith('.fifo') || attributes.FifoTopic === 'true') throw invalidParameter('Name Reason: FIFO topics are not supported by the embedded SNS');
    if (!TOPIC_NAME.test(name)) throw invalidParameter('Topic Name Reason: must be 1 to 256 letters, digits, hyphens and underscores');
    if (attributes.DisplayName !== undefined && attributes.DisplayName.length > 100) throw invalidParameter('DisplayName Reason: must be at most 100 characters');
    const arn = `arn:aws:sns:${this.context.region}:${this.context.accountId}:${name}`;
    const existing = this.store.topics.get(arn);
    if (existing) {
      // CreateTopic is idempotent by name, as long as it does not ask for something different.
      if (Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v)) throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
      if (Object.entries(tags).some(([k, v]) => existing.tags[k] !== v)) throw invalidParameter('Tags Reason: Topic already exists with different tags');
      return toXml({ TopicArn: arn });
    }
    this.store.topics.set(arn, { arn, name, attributes, tags });
    this.store.save();
    this.context.log(`sns: created topic ${arn}`);
    return toXml({ TopicArn: arn });
  }

  DeleteTopic(params: QueryParams): ActionResult {
    const arn = checkTopicArn(required(params, 'TopicArn'));
    // Deleting a topic that does not exist is not an error on SNS either.
    if (this.store.topics.delete(arn)) {
      for (const subscription of this.store.subscriptionsOf(arn)) this.store.subscriptions.delete(subscription.arn);
      this.store.save();
    }
    return undefined;
  }

  ListTopics(params: QueryParams): ActionResult {
    const { page, nextToken } = paginate([...this.store.topics.keys()].sort(), optional(params, 'NextToken'));
    return toXml({ Topics: page.map((TopicArn) => ({ TopicArn })), NextToken: nextToken });
  }

  GetTopicAttributes(params: QueryParams): ActionResult {
    const topic = this.topic(required(params, 'TopicArn'));
    const subscriptions = this.store.subscriptionsOf(topic.arn).length;
    const attributes = {
      DisplayName: '',
      ...topic.attributes,
      TopicArn: topic.arn,
      Owner: this.context.accountId,
      SubscriptionsConfirmed: String(subscriptions),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    };
    return `<Attributes>${mapToXml(attributes)}</Attributes>`;
  }

  SetTopicAttributes(params: QueryParams): ActionResult {
    const topic = this.topic(required(params, 'TopicArn'));
    const name = required(params, 'AttributeName');
    if (['TopicArn', 'Owner', 'FifoTopic'].includes(name)) throw invalidParameter(`AttributeName Reason: ${name} cannot be changed`);
    topic.attributes[name] = optional(params, 'AttributeValue') ?? '';
    this.store.save();
    return undefined;
  }

  Subscribe(params: QueryParams): ActionResult {
    const topic = this.topic(required(params, 'TopicArn'));
    const protocolName = required(params, 'Protocol');
    if (!(PROTOCOLS as readonly string[]).includes(protocolName)) {
      throw invalidParameter(`Protocol Reason: '${protocolName}' is not supported by the embedded SNS (it delivers to ${PROTOCOLS.join(', ')})`);
    }
    const protocol = protocolName as Protocol;
    const endpoint = checkEndpoint(protocol, optional(params, 'Endpoint'));
    const attributes = stringMap(params, 'Attributes');
    checkSubscriptionAttributes(attributes);
    const existing = this.store.subscriptionsOf(topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) {
      if (Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v)) throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
      return toXml({ SubscriptionArn: existing.arn });
    }
    const subscription: Subscription = { arn: `${topic.arn}:${randomUUID()}`, topicArn: topic.arn, protocol, endpoint, owner: this.context.accountId, token: randomUUID().replace(/-/g, ''), attributes };
    this.store.subscriptions.set(subscription.arn, subscription);
    this.store.save();
    this.context.log(`sns: subscribed ${protocol} ${endpoint} to ${topic.arn} (confirmed at once)`);
    this.deliverer.confirm(subscription);
    return toXml({ SubscriptionArn: subscription.arn });
  }

  ConfirmSubscription(params: QueryParams): ActionResult {
    const topic = this.topic(required(params, 'TopicArn'));
    const token = required(params, 'Token');
    const subscription = this.store.subscriptionsOf(topic.arn).find((s) => s.token === token);
    if (!subscription) throw invalidParameter('Token Reason: no subscription of this topic has this token');
    return toXml({ SubscriptionArn: subscription.arn });
  }

  Unsubscribe(params: QueryParams): ActionResult {
    const arn = required(params, 'SubscriptionArn');
    if (!this.store.subscriptions.delete(arn)) throw notFound(`Subscription does not exist: ${arn}`);
    this.store.save();
    return undefined;
  }

  ListSubscriptions(params: QueryParams): ActionResult {
    return this.listSubscriptions([...this.store.subscriptions.values()], optional(params, 'NextToken'));
  }

  ListSubscriptionsByTopic(params: QueryParams): ActionResult {
    const topic = this.topic(required(params, 'TopicArn'));
    return this.listSubscriptions(this.store.subscriptionsOf(topic.arn), optional(params, 'NextToken'));
  }

  GetSubscriptionAttributes(params: QueryParams): ActionResult {
    const subscription = this.subscription(required(params, 'SubscriptionArn'));
    const attributes = {
      RawMessageDelivery: 'false',
      ...subscription.attributes,
      SubscriptionArn: subscription.arn,
      TopicArn: subscription.topicArn,
      Owner: subscription.owner,
      Protocol: subscription.protocol,
      Endpoint: subscription.endpoint,
      ConfirmationWasAuthenticated: 'true',
      PendingConfirmation: 'false',
    };
    return `<Attributes>${mapToXml(attributes)}</Attributes>`;
  }

  SetSubscriptionAttributes(params: QueryParams): ActionResult {
    const subscription = this.subscription(required(params, 'SubscriptionArn'));
    const name = required(params, 'AttributeName');
    const value = optional(params, 'AttributeValue') ?? '';
    checkSubscriptionAttributes({ [name]: value });
    subscription.attributes[name] = value;
    this.store.save();
    return undefined;
  }

  Publish(params: QueryParams): ActionResult {
    if (optional(params, 'PhoneNumber') !== undefined) throw invalidParameter('PhoneNumber Reason: SMS is not supported by the embedded SNS');
    const topicArn = optional(params, 'TopicArn') ?? optional(params, 'TargetArn');
    if (topicArn === undefined) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    const message = optional(params, 'Message');
    if (message === undefined) throw invalidParameter('Message Reason: no value for required parameter');
    const messageId = this.publish({
      topicArn,
      message,
      subject: optional(params, 'Subject'),
      messageStructure: optional(params, 'MessageStructure'),
      messageAttributes: readMessageAttributes(params),
    });
    return toXml({ MessageId: messageId });
  }

  /** Publishes to every subscription of the topic; deliveries happen after this returns. */
  publish(input: PublishInput): string {
    const topic = this.topic(input.topicArn);
    if (input.message === '') throw invalidParameter('Empty message');
    if (Buffer.byteLength(input.message) > MAX_MESSAGE_BYTES) throw invalidParameter(`Message too long: at most ${MAX_MESSAGE_BYTES} bytes`);
    if (input.subject !== undefined) {
      // SNS refuses empty subjects, subjects over 100 characters, and line breaks or control characters in them.
      if (input.subject === '' || input.subject.length > 100 || [...input.subject].some((c) => c < ' ' || c === '\u007f')) throw invalidParameter('Subject Reason: must be 1 to 100 printable characters without line breaks');
    }
    let message = input.message;
    let perProtocol: Record<string, string> | undefined;
    if (input.messageStructure !== undefined) {
      if (input.messageStructure !== 'json') throw invalidParameter(`MessageStructure Reason: must be 'json', got '${input.messageStructure}'`);
      let structure: unknown;
      try {
        structure = JSON.parse(input.message);
      } catch (error) {
        throw new SnsApiError('InvalidParameter', 400, 'Invalid parameter: Message Structure - JSON message body failed to parse', { cause: error });
      }
      if (typeof structure !== 'object' || structure === null || Array.isArray(structure) || typeof (structure as Record<string, unknown>).default !== 'string') {
        throw invalidParameter('Message Structure - No default entry in JSON message body');
      }
      perProtocol = Object.fromEntries(Object.entries(structure as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
      message = perProtocol.default as string;
    }
    const notification: Notification = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      subject: input.subject,
      message,
      perProtocol,
      messageAttributes: input.messageAttributes ?? {},
      timestamp: new Date(this.context.clock.now()).toISOString(),
    };
    const subscriptions = this.store.subscriptionsOf(topic.arn);
    this.context.log(`sns: published ${notification.messageId} to ${topic.arn} (${subscriptions.length} subscription${subscriptions.length === 1 ? '' : 's'})`);
    for (const subscription of subscriptions) {
      // A subscription's filter policy: a message it does not pass is not delivered to it (AWS does the same, silently).
      const policy = subscription.attributes['FilterPolicy'];
      if (policy && !passesFilterPolicy(parseFilterPolicy(policy), notification.messageAttributes)) continue;
      this.deliverer.deliver(subscription, notification);
    }
    return notification.messageId;
  }

  private topic(arn: string): Topic {
    const topic = this.store.topics.get(checkTopicArn(arn));
    if (!topic) throw notFound(`Topic does not exist: ${arn}`);
    return topic;
  }

  private subscription(arn: string): Subscription {
    const subscription = this.store.subscriptions.get(arn);
    if (!subscription) throw notFound(`Subscription does not exist: ${arn}`);
    return subscription;
  }

  private listSubscriptions(subscriptions: Subscription[], token: string | undefined): ActionResult {
    const { page, nextToken } = paginate(subscriptions.sort((a, b) => (a.arn < b.arn ? -1 : 1)), token);
    return toXml({
      Subscriptions: page.map((s) => ({ SubscriptionArn: s.arn, Owner: s.owner, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn })),
      NextToken: nextToken,
    });
  }
}

function checkTopicArn(arn: string): string {
  if (!TOPIC_ARN.test(arn)) throw invalidParameter(`TopicArn Reason: '${arn}' is not a topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
  return arn;
}

function checkEndpoint(protocol: Protocol, endpoint: string | undefined): string {
  if (endpoint === undefined || endpoint === '') throw invalidParameter(`Endpoint Reason: a ${protocol} subscription needs an endpoint`);
  const ok =
    protocol === 'http' || protocol === 'https' ? endpoint.startsWith(`${protocol}://`) && URL.canParse(endpoint)
    : protocol === 'lambda' ? LAMBDA_ARN.test(endpoint)
    : /^[^@\s]+@[^@\s]+$/.test(endpoint);
  if (!ok) {
    const expected = protocol === 'lambda' ? 'a Lambda function ARN' : protocol.startsWith('email') ? 'an email address' : `a URL starting with ${protocol}://`;
    throw invalidParameter(`Endpoint Reason: '${endpoint}' is not ${expected}`);
  }
  return endpoint;
}

function checkSubscriptionAttributes(attributes: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalidParameter(`Attributes Reason: ${name} is not supported by the embedded SNS (supported: ${[...SUBSCRIPTION_ATTRIBUTES].join(', ')})`);
    if (name === 'RawMessageDelivery' && value !== 'true' && value !== 'false') throw invalidParameter(`Attributes Reason: RawMessageDelivery must be true or false, got '${value}'`);
    if (name === 'FilterPolicy') parseFilterPolicy(value);
  }
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue|BinaryValue` as SNS delivers them. */
function readMessageAttributes(params: QueryParams): Record<string, { Type: string; Value: string }> {
  const result: Record<string, { Type: string; Value: string }> = {};
  const entries = indexed(params, 'MessageAttributes.entry');
  if (entries.length > 10) throw invalidParameter('MessageAttributes Reason: at most 10 message attributes are allowed');
  for (const entry of entries) {
    const name = entry.Name;
    const type = entry['Value.DataType'];
    if (!name) throw invalidParameter('MessageAttributes Reason: an attribute has no name');
    if (!type) throw invalidParameter(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const base = type.split('.')[0];
    const value = base === 'Binary' ? entry['Value.BinaryValue'] : entry['Value.StringValue'];
    if (value === undefined) throw invalidParameter(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (base === 'Number' && !Number.isFinite(Number(value))) throw invalidParameter(`The message attribute '${name}' has an invalid message attribute value: '${value}' is not a number`);
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    result[name] = { Type: type, Value: value };
  }
  return result;
}

function paginate<T>(items: T[], token: string | undefined): { page: T[]; nextToken?: string } {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('NextToken Reason: not a token this service returned');
  const page = items.slice(start, start + PAGE);
  return { page, nextToken: start + PAGE < items.length ? Buffer.from(String(start + PAGE)).toString('base64url') : undefined };
}
