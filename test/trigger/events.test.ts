import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import { SnsSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import { describe, expect, it } from 'vitest';
import { parseAlarmStateChangeEvent, parseS3Event, parseSnsEvent, parseStatusChangeEvent } from '../../functions/lib/events';
import { type ExecutionRecord, lambdaEvent, s3EventRecord, statusChangeEvent, type Subscription } from '@fledge-local/embedded-aws';
import { InvalidTaskInputError } from '../../shared/model/engine-errors';

// The events the functions are subscribed to, as the embedded AWS delivers them (shaped as AWS
// does), read at the handler boundary: everything Powertools Parser's schemas accept is read,
// and a malformed event is refused naming where.

const where = { region: 'eu-west-1', accountId: '123456789012', configurationId: 'drops' };
const upload = (sourceIp: string) => ({ eventName: 'ObjectCreated:Put', bucket: 'fledge-artifacts', key: 'deployments/my app+v2/spec.yaml', size: 10, eTag: 'etag-1', versionId: 'v-1', time: Date.UTC(2026, 0, 1), sequencer: '0001', sourceIp });

describe('S3 event notifications', () => {
  it('reads an upload as S3 delivers it, which Powertools\' S3 schema accepts too', () => {
    // Prepare
    const event = { Records: [s3EventRecord(upload('198.51.100.7'), where)] };

    // Act
    const objects = parseS3Event(event);

    // Assess
    expect(S3Schema.safeParse(event).success).toBe(true);
    expect(objects).toEqual([{ eventName: 'ObjectCreated:Put', bucket: 'fledge-artifacts', key: 'deployments/my app+v2/spec.yaml', versionId: 'v-1', eTag: 'etag-1', region: 'eu-west-1', principal: 'AWS:123456789012' }]);
  });

  it('reads an upload from an IPv6 address, whose sourceIPAddress Powertools\' S3 schema refuses', () => {
    // Prepare
    const event = { Records: [s3EventRecord(upload('2001:db8::7'), where)] };

    // Act
    const objects = parseS3Event(event);

    // Assess: the field fledge does not read does not cost the drop.
    expect(S3Schema.safeParse(event).success).toBe(false);
    expect(objects.map((o) => o.key)).toEqual(['deployments/my app+v2/spec.yaml']);
  });

  it('refuses a malformed record as invalid input naming the field, what it expected and what it got', () => {
    // Act
    const error = (() => {
      try {
        return parseS3Event({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 42 } } }] });
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(InvalidTaskInputError);
    expect((error as Error).message).toBe('the S3 trigger expects an S3 event notification: Records[0].s3.object.key: expected string, got number');
  });

  it('names the first few problems of a badly broken event and counts the rest', () => {
    // Act / Assess
    expect(() => parseS3Event({ Records: [{}, {}] })).toThrow(/^the S3 trigger expects an S3 event notification: Records\[0\]\.eventName: expected string, got nothing; Records\[0\]\.s3: expected object, got nothing; Records\[1\]\.eventName: expected string, got nothing; and 1 more$/);
    expect(() => parseS3Event(null)).toThrow(/: the event: expected object, got null$/);
  });
});

describe('SNS events of the Slack notifier', () => {
  const subscription: Subscription = { arn: 'arn:aws:sns:eu-west-1:123456789012:fledge-notifications:sub-1', topicArn: 'arn:aws:sns:eu-west-1:123456789012:fledge-notifications', protocol: 'lambda', endpoint: 'arn:aws:lambda:eu-west-1:123456789012:function:slack', owner: '123456789012', token: 't', attributes: {} };
  const links = { unsubscribeUrl: 'http://127.0.0.1:4566/unsubscribe', signingCertUrl: 'http://127.0.0.1:4566/cert.pem' };

  it('reads a message as SNS delivers it, which Powertools\' SNS schema accepts too', () => {
    // Prepare
    const event = lambdaEvent({ messageId: 'm-1', topicArn: subscription.topicArn, subject: 'fledge', message: 'text', messageAttributes: { facts: { Type: 'String', Value: '{}' } }, timestamp: '2026-01-01T00:00:00.000Z' }, subscription, links);

    // Act
    const { Records } = parseSnsEvent(event);

    // Assess
    expect(SnsSchema.safeParse(event).success).toBe(true);
    expect(Records).toEqual([{ Sns: { MessageId: 'm-1', MessageAttributes: { facts: { Type: 'String', Value: '{}' } } } }]);
  });

  it('refuses a record without its message as invalid input naming it', () => {
    // Act / Assess
    expect(() => parseSnsEvent({ Records: [{ EventSource: 'aws:sns' }] })).toThrow(new InvalidTaskInputError('the Slack notifier expects an SNS event: Records[0].Sns: expected object, got nothing'));
  });
});

describe('Step Functions status changes of the safety net', () => {
  const execution = (name: string, status: ExecutionRecord['status']): ExecutionRecord => ({
    executionArn: `arn:aws:states:eu-west-1:123456789012:execution:fledge-deployment:${name}`,
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:fledge-deployment',
    stateMachineName: 'fledge-deployment',
    name,
    input: '{}',
    definition: '{}',
    roleArn: 'arn:aws:iam::123456789012:role/r',
    startDate: Date.UTC(2026, 0, 1),
    stopDate: Date.UTC(2026, 0, 1, 0, 5),
    status,
    events: [],
  });

  it('reads an abnormal end as EventBridge delivers it, which Powertools\' EventBridge schema accepts too, and ignores a success', () => {
    // Prepare
    const failed = statusChangeEvent(execution('dep-1', 'TIMED_OUT'), 'eu-west-1', '123456789012', Date.UTC(2026, 0, 1, 0, 5));
    const succeeded = statusChangeEvent(execution('dep-2', 'SUCCEEDED'), 'eu-west-1', '123456789012', Date.UTC(2026, 0, 1, 0, 5));

    // Act / Assess
    expect(EventBridgeSchema.safeParse(failed).success).toBe(true);
    expect(parseStatusChangeEvent(failed)).toEqual({ deploymentId: 'dep-1', executionStatus: 'TIMED_OUT' });
    expect(parseStatusChangeEvent(succeeded)).toBeUndefined();
  });

  it('refuses an event from another source, and an abnormal end without a deployment id', () => {
    // Prepare
    const failed = statusChangeEvent(execution('dep-1', 'FAILED'), 'eu-west-1', '123456789012', Date.UTC(2026, 0, 1, 0, 5));

    // Act / Assess
    expect(() => parseStatusChangeEvent({ ...failed, source: 'aws.ec2' })).toThrow(new InvalidTaskInputError('the safety net expects an EventBridge Step Functions execution status change: source: expected "aws.states"'));
    expect(() => parseStatusChangeEvent({ detail: { status: 'FAILED', name: 'not a deployment id' } })).toThrow(/detail\.name must be a deployment id/);
    expect(() => parseStatusChangeEvent({ detail: 'FAILED' })).toThrow(/: detail: expected object, got string$/);
  });
});

describe('CloudWatch alarm state changes of the alarm abort', () => {
  // AWS's documented shape (EventBridge, "CloudWatch Alarm State Change"), as the embedded CloudWatch emits it.
  const change = {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-01-01T00:05:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-errors'],
    detail: {
      alarmName: 'orders-errors',
      configuration: { metrics: [] },
      previousState: { value: 'OK', reason: 'fine', timestamp: '2026-01-01T00:00:00.000+0000' },
      state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-01-01T00:04:59.985+0000' },
    },
  };

  it('reads the alarm, its new state, when it changed and where (account, region), from an event Powertools\' EventBridge schema accepts too', () => {
    // Act / Assess
    expect(EventBridgeSchema.safeParse(change).success).toBe(true);
    expect(parseAlarmStateChangeEvent(change)).toEqual({ alarmName: 'orders-errors', state: 'ALARM', at: Date.UTC(2026, 0, 1, 0, 4, 59, 985), account: '123456789012', region: change.region });
  });

  it('refuses an event from another source, and one without the alarm\'s name, as invalid input naming the field', () => {
    // Act / Assess
    expect(() => parseAlarmStateChangeEvent({ ...change, source: 'aws.states' })).toThrow(new InvalidTaskInputError('the alarm abort expects an EventBridge CloudWatch alarm state change: source: expected "aws.cloudwatch"'));
    expect(() => parseAlarmStateChangeEvent({ detail: { state: { value: 'ALARM' } } })).toThrow(/: detail\.alarmName: expected string, got nothing$/);
  });
});
