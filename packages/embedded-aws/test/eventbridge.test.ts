import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteRuleCommand, DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { matches, parseEventPattern } from '../src/services/eventbridge/pattern';
import { clientConfig, eventually, failure } from '../src/testing/clients';

const ALARM_PATTERN = JSON.stringify({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { state: { value: ['ALARM'] } } });

describe('embedded EventBridge', () => {
  let aws: LocalAws;
  let events: EventBridgeClient;
  let cloudwatch: CloudWatchClient;
  let counter = 0;
  const unique = (prefix: string): string => `${prefix}-${++counter}`;

  /** A function that keeps what it is sent, and a rule with `pattern` targeting it. */
  async function sink(pattern: string): Promise<unknown[]> {
    const name = unique('sink');
    const received: unknown[] = [];
    aws.services.lambda.registerInProcessFunction({ functionName: name, handler: async (event) => { received.push(event); return null; } });
    const rule = unique('rule');
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: pattern }));
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'sink', Arn: `arn:aws:lambda:${aws.region}:000000000000:function:${name}` }] }));
    return received;
  }

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, cloudwatch: { evaluationIntervalSeconds: 3600 } });
    events = new EventBridgeClient(clientConfig(aws));
    cloudwatch = new CloudWatchClient(clientConfig(aws));
  });
  afterAll(async () => {
    events.destroy();
    cloudwatch.destroy();
    await aws.stop();
  });

  it('delivers an alarm going to ALARM to a rule\'s Lambda target in the shape CloudWatch sends', async () => {
    // Prepare
    const received = await sink(ALARM_PATTERN);
    const alarm = unique('errors');
    await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: alarm, AlarmDescription: 'too many errors', Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'orders' }], Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));

    // Act
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'test', StateReasonData: '{"version":"1.0"}' }));

    // Assess
    const [event] = await eventually(() => (received.length > 0 ? received : undefined), { what: 'the alarm event' });
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: aws.region,
      resources: [`arn:aws:cloudwatch:${aws.region}:000000000000:alarm:${alarm}`],
      detail: {
        alarmName: alarm,
        configuration: {
          description: 'too many errors',
          metrics: [{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), metricStat: { metric: { namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'orders' } }, period: 60, stat: 'Sum' }, returnData: true }],
        },
        previousState: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/) },
        state: { value: 'ALARM', reason: 'test', reasonData: '{"version":"1.0"}', timestamp: expect.stringMatching(/\+0000$/) },
      },
    });
  });

  it('delivers only what a rule\'s pattern matches: back to OK is not ALARM', async () => {
    // Prepare
    const alarmsOnly = await sink(ALARM_PATTERN);
    const everything = await sink(JSON.stringify({ source: ['aws.cloudwatch'] }));
    const alarm = unique('latency');
    await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: alarm, Namespace: 'AWS/Lambda', MetricName: 'Duration', Statistic: 'Average', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));

    // Act
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'OK', StateReason: 'fine' }));

    // Assess
    const seen = await eventually(() => (everything.some((e) => (e as { detail: { alarmName: string } }).detail.alarmName === alarm) ? everything : undefined), { what: 'the OK event' });
    expect(seen.length).toBeGreaterThan(0);
    expect(alarmsOnly.filter((e) => (e as { detail: { alarmName: string } }).detail.alarmName === alarm)).toEqual([]);
  });

  it('describes and lists what PutRule and PutTargets stored, and removes targets before a rule is deleted', async () => {
    // Prepare
    const rule = unique('rule');
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: rule, EventPattern: ALARM_PATTERN, Description: 'abort' }));
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'abort', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:abort' }] }));

    // Act
    const described = await events.send(new DescribeRuleCommand({ Name: rule }));
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: rule }));
    const refused = await failure(events.send(new DeleteRuleCommand({ Name: rule })));
    await events.send(new RemoveTargetsCommand({ Rule: rule, Ids: ['abort'] }));
    await events.send(new DeleteRuleCommand({ Name: rule }));
    const gone = await failure(events.send(new DescribeRuleCommand({ Name: rule })));

    // Assess
    expect(RuleArn).toBe(`arn:aws:events:${aws.region}:000000000000:rule/${rule}`);
    expect(described).toMatchObject({ Name: rule, Arn: RuleArn, EventPattern: ALARM_PATTERN, State: 'ENABLED', Description: 'abort', EventBusName: 'default' });
    expect(targets.Targets).toEqual([{ Id: 'abort', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:abort' }]);
    expect([refused.name, refused.$metadata.httpStatusCode]).toEqual(['ValidationException', 400]);
    expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
  });

  it('refuses a pattern it cannot read, targets for a rule that does not exist, and aws.* sources in PutEvents, as AWS does', async () => {
    // Act
    const badPattern = await failure(events.send(new PutRuleCommand({ Name: unique('rule'), EventPattern: '{"source":"aws.cloudwatch"}' })));
    const noPattern = await failure(events.send(new PutRuleCommand({ Name: unique('rule') })));
    const noRule = await failure(events.send(new PutTargetsCommand({ Rule: unique('missing'), Targets: [{ Id: 't', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }] })));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'aws.cloudwatch', DetailType: 'CloudWatch Alarm State Change', Detail: '{}' }, { Source: 'orders', DetailType: 'Placed', Detail: '{"n":1}' }] }));

    // Assess
    expect([badPattern.name, badPattern.$metadata.httpStatusCode, badPattern.message]).toEqual(['InvalidEventPatternException', 400, 'Event pattern is not valid. Reason: "source" must be an object or an array']);
    expect([noPattern.name, noPattern.$metadata.httpStatusCode]).toEqual(['ValidationException', 400]);
    expect([noRule.name, noRule.$metadata.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]).toEqual({ ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' });
    expect(put.Entries?.[1]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('delivers a custom event from PutEvents to a rule that matches its detail', async () => {
    // Prepare
    const received = await sink(JSON.stringify({ source: ['orders'], detail: { amount: [{ numeric: ['>', 100] }] } }));

    // Act
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'orders', DetailType: 'Placed', Detail: '{"amount":5}' }, { Source: 'orders', DetailType: 'Placed', Detail: '{"amount":500}' }] }));

    // Assess
    const [event] = await eventually(() => (received.length > 0 ? received : undefined), { what: 'the order event' });
    expect(event).toMatchObject({ source: 'orders', 'detail-type': 'Placed', detail: { amount: 500 } });
    expect(received).toHaveLength(1);
  });
});

describe('event patterns', () => {
  const event = { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', resources: ['arn:a', 'arn:b'], detail: { alarmName: 'fledge-prod-orders-live-7', state: { value: 'ALARM' }, count: 3 } };
  const cases: readonly [string, object, boolean][] = [
    ['literal values', { source: ['aws.cloudwatch', 'aws.states'] }, true],
    ['a literal that differs', { source: ['aws.states'] }, false],
    ['nested objects', { detail: { state: { value: ['ALARM'] } } }, true],
    ['any element of an array field', { resources: ['arn:b'] }, true],
    ['prefix', { detail: { alarmName: [{ prefix: 'fledge-prod-' }] } }, true],
    ['suffix', { detail: { alarmName: [{ suffix: '-8' }] } }, false],
    ['anything-but a list', { detail: { state: { value: [{ 'anything-but': ['OK', 'INSUFFICIENT_DATA'] }] } } }, true],
    ['anything-but a prefix', { detail: { alarmName: [{ 'anything-but': { prefix: 'fledge-' } }] } }, false],
    ['exists true', { detail: { alarmName: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['a missing field', { detail: { missing: ['x'] } }, false],
    ['equals-ignore-case', { detail: { state: { value: [{ 'equals-ignore-case': 'alarm' }] } } }, true],
    ['numeric ranges', { detail: { count: [{ numeric: ['>', 0, '<=', 3] }] } }, true],
  ];
  it.each(cases)('matches %s as EventBridge does', (_what, pattern, expected) => {
    // Act / Assess
    expect(matches(parseEventPattern(JSON.stringify(pattern)), event)).toBe(expected);
  });

  it('refuses what it does not implement instead of matching it wrongly', () => {
    // Act / Assess
    expect(() => parseEventPattern('{"detail":{"a":[{"wildcard":"x*"}]}}')).toThrow(/Unrecognized match type wildcard/);
    expect(() => parseEventPattern('{"$or":[{"a":["b"]}]}')).toThrow(/does not implement \$or/);
    expect(() => parseEventPattern('{"a":[]}')).toThrow(/Empty arrays/);
  });
});
