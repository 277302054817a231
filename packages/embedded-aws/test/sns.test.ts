import {
  ConfirmSubscriptionCommand, CreateTopicCommand, DeleteTopicCommand, GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListSubscriptionsCommand,
  ListTopicsCommand, PublishCommand, SNSClient, SubscribeCommand, UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import type { OutboxMessage } from '../src/services/sns/outbox';
import { clientConfig, eventually } from '../src/testing/clients';

interface Received { readonly headers: IncomingHttpHeaders; readonly body: string; readonly path: string }

/** A subscriber endpoint on loopback that records every POST and answers with the next scripted status (200 when none left). */
async function startEndpoint(statuses: number[] = []): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), path: request.url ?? '/' });
      response.writeHead(statuses.shift() ?? 200);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('embedded SNS', () => {
  let aws: LocalAws;
  let sns: SNSClient;
  let counter = 0;
  const unique = (prefix: string): string => `${prefix}-${++counter}`;
  const topic = async (name = unique('topic')): Promise<string> => (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  const outbox = async (to: string): Promise<OutboxMessage[]> => ((await (await fetch(`${aws.endpoint}/_fledge/sns/outbox?to=${encodeURIComponent(to)}`)).json()) as { messages: OutboxMessage[] }).messages;

  // Simulated time runs 100 times faster, so delivery retries back off for milliseconds.
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, timeScale: 0.01 });
    sns = new SNSClient(clientConfig(aws));
  });
  afterAll(async () => {
    sns.destroy();
    await aws.stop();
  });

  it('creates a topic idempotently by name and lists it', async () => {
    // Prepare
    const name = unique('orders');
    // Act
    const first = await sns.send(new CreateTopicCommand({ Name: name, Attributes: { DisplayName: 'Orders' } }));
    const again = await sns.send(new CreateTopicCommand({ Name: name }));
    // Assess
    expect(first.TopicArn).toBe(`arn:aws:sns:us-east-1:000000000000:${name}`);
    expect(again.TopicArn).toBe(first.TopicArn);
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toContainEqual({ TopicArn: first.TopicArn });
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: first.TopicArn }));
    expect(Attributes).toMatchObject({ TopicArn: first.TopicArn, DisplayName: 'Orders', SubscriptionsConfirmed: '0' });
  });

  it('refuses to recreate a topic with different attributes', async () => {
    const name = unique('attrs');
    await sns.send(new CreateTopicCommand({ Name: name, Attributes: { DisplayName: 'One' } }));
    const failure = await sns.send(new CreateTopicCommand({ Name: name, Attributes: { DisplayName: 'Two' } })).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 }, message: expect.stringContaining('different attributes') });
  });

  it('writes a message published to an email subscription into the outbox', async () => {
    // Prepare
    const topicArn = await topic();
    const to = `${unique('ops')}@example.com`;
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: to }));
    // Act
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'Approve deployment 42', Message: 'Open https://example.com/approve/42' }));
    // Assess
    const [mail] = await eventually(async () => { const m = await outbox(to); return m.length > 0 ? m : undefined; }, { what: 'the email' });
    expect(mail).toMatchObject({ to, subject: 'Approve deployment 42', topicArn, subscriptionArn: SubscriptionArn, messageId: MessageId, protocol: 'email' });
    expect(mail!.body).toMatch(/^Open https:\/\/example\.com\/approve\/42\n\n--\nIf you wish to stop receiving notifications/);
    expect(Date.parse(mail!.time)).toBeGreaterThan(0);
  });

  it('gives email without a subject the default SNS subject, and email-json the JSON envelope', async () => {
    // Prepare
    const topicArn = await topic();
    const to = `${unique('json')}@example.com`;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email-json', Endpoint: to }));
    // Act
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'hello' }));
    // Assess
    const [mail] = await eventually(async () => { const m = await outbox(to); return m.length > 0 ? m : undefined; }, { what: 'the email' });
    expect(mail!.subject).toBe('AWS Notification Message');
    expect(JSON.parse(mail!.body)).toMatchObject({ Type: 'Notification', TopicArn: topicArn, Message: 'hello' });
  });

  it('POSTs a subscription confirmation, then the notification envelope, to an http endpoint', async () => {
    // Prepare
    const endpoint = await startEndpoint();
    try {
      const topicArn = await topic();
      const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint.url }));
      // Act
      const { MessageId } = await sns.send(new PublishCommand({
        TopicArn: topicArn, Subject: 'Deployment', Message: '{"status":"ROLLED_BACK"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'rollback' }, step: { DataType: 'Number', StringValue: '3' } },
      }));
      // Assess
      await eventually(() => (endpoint.received.length >= 2 ? true : undefined), { what: 'two POSTs' });
      const [confirmation, notification] = endpoint.received;
      expect(confirmation!.headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
      expect(JSON.parse(confirmation!.body)).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn: topicArn, Token: expect.any(String), SubscribeURL: expect.stringContaining('Action=ConfirmSubscription') });
      expect(notification!.path).toBe('/hook');
      expect(notification!.headers).toMatchObject({ 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-message-id': MessageId, 'x-amz-sns-topic-arn': topicArn, 'x-amz-sns-subscription-arn': SubscriptionArn, 'content-type': 'text/plain; charset=UTF-8' });
      const envelope = JSON.parse(notification!.body) as Record<string, unknown>;
      expect(envelope).toMatchObject({
        Type: 'Notification', MessageId, TopicArn: topicArn, Subject: 'Deployment', Message: '{"status":"ROLLED_BACK"}', SignatureVersion: '1',
        Signature: expect.any(String), SigningCertURL: expect.any(String), UnsubscribeURL: expect.stringContaining(encodeURIComponent(SubscriptionArn!)),
        MessageAttributes: { kind: { Type: 'String', Value: 'rollback' }, step: { Type: 'Number', Value: '3' } },
      });
      expect(new Date(envelope.Timestamp as string).toISOString()).toBe(envelope.Timestamp);
      const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: (JSON.parse(confirmation!.body) as { Token: string }).Token }));
      expect(confirmed.SubscriptionArn).toBe(SubscriptionArn);
    } finally {
      await endpoint.close();
    }
  });

  it('retries an http delivery that fails, and records the outcome', async () => {
    // Prepare: the confirmation succeeds, the first notification attempt gets a 500.
    const endpoint = await startEndpoint([200, 500]);
    try {
      const topicArn = await topic();
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint.url, Attributes: { RawMessageDelivery: 'true' } }));
      // Act
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'raw body' }));
      // Assess
      await eventually(() => (endpoint.received.length >= 3 ? true : undefined), { what: 'the retried POST' });
      expect(endpoint.received.slice(1).map((r) => r.body)).toEqual(['raw body', 'raw body']);
      const record = await eventually(async () => {
        const { deliveries } = await (await fetch(`${aws.endpoint}/_fledge/sns/deliveries`)).json() as { deliveries: { messageId: string; status: string; attempts: number }[] };
        return deliveries.find((d) => d.messageId === MessageId);
      }, { what: 'the delivery record' });
      expect(record).toMatchObject({ status: 'delivered', attempts: 2 });
    } finally {
      await endpoint.close();
    }
  });

  it('sends each protocol its own message when MessageStructure is json', async () => {
    // Prepare
    const endpoint = await startEndpoint();
    try {
      const topicArn = await topic();
      const to = `${unique('struct')}@example.com`;
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: to }));
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint.url }));
      // Act
      await sns.send(new PublishCommand({ TopicArn: topicArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'for everyone', email: 'for people' }) }));
      // Assess
      const [mail] = await eventually(async () => { const m = await outbox(to); return m.length > 0 ? m : undefined; }, { what: 'the email' });
      expect(mail!.body).toMatch(/^for people\n/);
      await eventually(() => (endpoint.received.length >= 2 ? true : undefined), { what: 'the http notification' });
      expect(JSON.parse(endpoint.received[1]!.body)).toMatchObject({ Message: 'for everyone' });
    } finally {
      await endpoint.close();
    }
  });

  it('invokes a subscribed Lambda function with an SNS event record', async () => {
    // Prepare
    const events: unknown[] = [];
    const functionName = unique('on-notify');
    aws.services.lambda.registerInProcessFunction({ functionName, handler: async (event) => { events.push(event); return {}; } });
    const topicArn = await topic();
    const functionArn = `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`;
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: functionArn }));
    // Act
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'approve?', MessageAttributes: { deployment: { DataType: 'String', StringValue: 'd-1' } } }));
    // Assess
    const [event] = await eventually(() => (events.length > 0 ? events : undefined), { what: 'the Lambda invocation' });
    expect(event).toEqual({
      Records: [{
        EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: SubscriptionArn,
        Sns: expect.objectContaining({ Type: 'Notification', MessageId, TopicArn: topicArn, Subject: null, Message: 'approve?', MessageAttributes: { deployment: { Type: 'String', Value: 'd-1' } }, Timestamp: expect.any(String), UnsubscribeUrl: expect.any(String) }),
      }],
    });
  });

  it('lists, describes and removes subscriptions, by topic and overall', async () => {
    // Prepare
    const topicArn = await topic();
    const other = await topic();
    const a = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'a@example.com' }));
    const again = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'a@example.com' }));
    const b = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'https', Endpoint: 'https://hooks.example.com/x' }));
    await sns.send(new SubscribeCommand({ TopicArn: other, Protocol: 'email', Endpoint: 'c@example.com' }));
    // Act
    const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    const attributes = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: b.SubscriptionArn }));
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: a.SubscriptionArn }));
    const afterUnsubscribe = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    const all = await sns.send(new ListSubscriptionsCommand({}));
    // Assess
    expect(again.SubscriptionArn).toBe(a.SubscriptionArn);
    expect(byTopic.Subscriptions).toHaveLength(2);
    expect(byTopic.Subscriptions).toContainEqual({ SubscriptionArn: a.SubscriptionArn, Owner: '000000000000', Protocol: 'email', Endpoint: 'a@example.com', TopicArn: topicArn });
    expect(attributes.Attributes).toMatchObject({ Protocol: 'https', Endpoint: 'https://hooks.example.com/x', TopicArn: topicArn, PendingConfirmation: 'false', RawMessageDelivery: 'false' });
    expect(afterUnsubscribe.Subscriptions?.map((s) => s.SubscriptionArn)).toEqual([b.SubscriptionArn]);
    expect(all.Subscriptions?.map((s) => s.Endpoint)).toEqual(expect.arrayContaining(['https://hooks.example.com/x', 'c@example.com']));
  });

  it('deletes a topic with its subscriptions, and deleting it again is not an error', async () => {
    const topicArn = await topic();
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'gone@example.com' }));
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    const publish = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' })).catch((error: unknown) => error);
    expect(publish).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions?.some((s) => s.TopicArn === topicArn)).toBe(false);
  });

  it.each([
    ['a protocol it cannot deliver to', { Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q' }, /Protocol/],
    ['an http endpoint that is not a URL', { Protocol: 'http', Endpoint: 'hooks.example.com' }, /Endpoint/],
    ['a lambda endpoint that is not a function ARN', { Protocol: 'lambda', Endpoint: 'my-function' }, /Lambda function ARN/],
    ['an email endpoint without @', { Protocol: 'email', Endpoint: 'ops' }, /email address/],
    ['a filter policy', { Protocol: 'email', Endpoint: 'f@example.com', Attributes: { FilterPolicy: '{}' } }, /FilterPolicy/],
  ])('refuses a subscription with %s as InvalidParameter', async (_what, input, message) => {
    const topicArn = await topic();
    const failure = await sns.send(new SubscribeCommand({ TopicArn: topicArn, ...input })).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    expect((failure as Error).message).toMatch(message);
  });

  it.each([
    ['to a topic that does not exist', { TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' }, 'NotFoundException'],
    ['to a malformed topic ARN', { TopicArn: 'nope', Message: 'x' }, 'InvalidParameterException'],
    ['with a subject that has a line break', { Subject: 'a\nb', Message: 'x' }, 'InvalidParameterException'],
    ['with a json structure that has no default', { MessageStructure: 'json', Message: '{"email":"x"}' }, 'InvalidParameterException'],
    ['with an empty message', { Message: '' }, 'InvalidParameterException'],
    ['with a Number attribute that is not a number', { Message: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'many' } } }, 'InvalidParameterException'],
  ])('refuses to publish %s', async (_what, input, errorName) => {
    const topicArn = await topic();
    const failure = await sns.send(new PublishCommand({ TopicArn: topicArn, ...input } as never)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: errorName });
  });

  it('refuses ListSubscriptionsByTopic and Unsubscribe for things that do not exist', async () => {
    const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:ghost' })).catch((error: unknown) => error);
    const unsubscribe = await sns.send(new UnsubscribeCommand({ SubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:ghost:1' })).catch((error: unknown) => error);
    expect(byTopic).toMatchObject({ name: 'NotFoundException', message: expect.stringContaining('ghost') });
    expect(unsubscribe).toMatchObject({ name: 'NotFoundException' });
  });

  it('answers injected faults with ThrottledException and InternalErrorException', async () => {
    // Prepare
    const topicArn = await topic();
    aws.faults.add({ service: 'sns', operation: 'Publish', kind: 'throttle', count: 1 });
    aws.faults.add({ service: 'sns', operation: 'Publish', kind: 'serverError', count: 1 });
    // Act
    const throttled = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' })).catch((error: unknown) => error);
    const failed = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' })).catch((error: unknown) => error);
    const passed = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x' }));
    // Assess
    expect(throttled).toMatchObject({ name: 'ThrottledException', $metadata: { httpStatusCode: 429 } });
    expect(failed).toMatchObject({ name: 'InternalErrorException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(passed.MessageId).toEqual(expect.any(String));
  });
});

describe('embedded SNS with a data directory', () => {
  it('keeps topics and subscriptions across a restart and writes each email to a file', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-sns-'));
    try {
      const first = await startLocalAws({ port: 0, dataDir });
      const client = new SNSClient(clientConfig(first));
      const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'approvals' }));
      await client.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'lead@example.com' }));
      client.destroy();
      await first.stop();
      // Act
      const second = await startLocalAws({ port: 0, dataDir });
      const again = new SNSClient(clientConfig(second));
      const { Subscriptions = [] } = await again.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
      await again.send(new PublishCommand({ TopicArn, Subject: 'Approve?', Message: 'Please approve' }));
      const files = await eventually(async () => { const f = await readdir(join(dataDir, 'sns', 'outbox')).catch(() => []); return f.length > 0 ? f : undefined; }, { what: 'the outbox file' });
      again.destroy();
      await second.stop();
      // Assess
      expect(Subscriptions.map((s) => s.Endpoint)).toEqual(['lead@example.com']);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.json$/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
