import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand, type MetricAlarm, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudWatchService } from '../src/services/cloudwatch/service';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, eventually } from '../src/testing/clients';

/** The alarm fledge's engine creates on the NEW version only: error rate above 5 % over at least 20 invocations. */
function errorRateAlarm(name: string, fn: string, alias: string, version: string): PutMetricAlarmCommandInput {
  const metric = (metricName: string) => ({
    Namespace: 'AWS/Lambda',
    MetricName: metricName,
    Dimensions: [{ Name: 'FunctionName', Value: fn }, { Name: 'Resource', Value: `${fn}:${alias}` }, { Name: 'ExecutedVersion', Value: version }],
  });
  return {
    AlarmName: name,
    Metrics: [
      { Id: 'errors', MetricStat: { Metric: metric('Errors'), Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'invocations', MetricStat: { Metric: metric('Invocations'), Period: 60, Stat: 'Sum' }, ReturnData: false },
      { Id: 'errorRate', Expression: 'IF(FILL(invocations, 0) >= 20, 100 * FILL(errors, 0) / invocations, 0)', ReturnData: true },
    ],
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: 5,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    TreatMissingData: 'notBreaching',
  };
}

/** Emits what the embedded Lambda emits for alias invocations, stamped `agoMs` before now. */
function invocations(aws: LocalAws, fn: string, alias: string, version: string, count: number, errors: number, agoMs = 0): void {
  const timestamp = aws.clock.now() - agoMs;
  const sets: Record<string, string>[] = [{ FunctionName: fn }, { FunctionName: fn, Resource: `${fn}:${alias}` }, { FunctionName: fn, Resource: `${fn}:${alias}`, ExecutedVersion: version }];
  const datums = Array.from({ length: count }, (_, i) => sets.flatMap((dimensions) => [
    { metricName: 'Invocations', dimensions, timestamp, value: 1, unit: 'Count' },
    { metricName: 'Errors', dimensions, timestamp, value: i < errors ? 1 : 0, unit: 'Count' },
  ])).flat();
  aws.services.metrics.put('AWS/Lambda', datums);
}

describe('embedded CloudWatch alarms', () => {
  let aws: LocalAws;
  let cloudwatch: CloudWatchClient;
  let service: CloudWatchService;
  let counter = 0;
  const unique = (prefix: string): string => `${prefix}-${++counter}`;

  // Real time and a long evaluation interval: each test evaluates explicitly, right after feeding metrics.
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, cloudwatch: { evaluationIntervalSeconds: 3600 } });
    cloudwatch = new CloudWatchClient(clientConfig(aws));
    service = aws.service<CloudWatchService>('monitoring');
  });
  afterAll(async () => {
    cloudwatch.destroy();
    await aws.stop();
  });

  async function describeAlarm(name: string): Promise<MetricAlarm> {
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    expect(MetricAlarms).toHaveLength(1);
    return MetricAlarms[0]!;
  }

  it('starts a new alarm in INSUFFICIENT_DATA and describes its configuration back', async () => {
    // Prepare
    const name = unique('fresh');
    // Act
    await cloudwatch.send(new PutMetricAlarmCommand({ ...errorRateAlarm(name, 'orders', 'live', '7'), AlarmDescription: 'canary v7', AlarmActions: ['arn:aws:sns:us-east-1:000000000000:ops'] }));
    // Assess
    const alarm = await describeAlarm(name);
    expect(alarm).toMatchObject({
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`,
      AlarmDescription: 'canary v7',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      ActionsEnabled: true,
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:ops'],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Metrics?.map((m) => m.Id)).toEqual(['errors', 'invocations', 'errorRate']);
    expect(alarm.Metrics?.[0]?.MetricStat?.Metric?.Dimensions).toContainEqual({ Name: 'ExecutedVersion', Value: '7' });
    expect(alarm.StateUpdatedTimestamp).toBeInstanceOf(Date);
  });

  it("turns fledge's error-rate alarm to ALARM when more than 5 % of at least 20 invocations fail", async () => {
    // Prepare
    const name = unique('rate');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'pay', 'live', '7')));
    invocations(aws, 'pay', 'live', '7', 30, 3);
    // Act
    service.evaluateAlarms();
    // Assess
    const alarm = await describeAlarm(name);
    expect(alarm.StateValue).toBe('ALARM');
    expect(alarm.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[10\.0 \(.+\)\] was greater than the threshold \(5\.0\)/);
    expect(JSON.parse(alarm.StateReasonData ?? '{}')).toMatchObject({ version: '1.0', period: 60, recentDatapoints: [10], threshold: 5 });
  });

  it('judges only the version in its dimensions: failures of another version leave it OK', async () => {
    // Prepare
    const name = unique('v8-only');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'ship', 'live', '8')));
    invocations(aws, 'ship', 'live', '7', 50, 50);
    invocations(aws, 'ship', 'live', '8', 50, 0);
    // Act
    service.evaluateAlarms();
    // Assess
    expect((await describeAlarm(name)).StateValue).toBe('OK');
  });

  it('stays OK below the minimum number of invocations, however many of them fail', async () => {
    // Prepare
    const name = unique('few');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'cart', 'live', '2')));
    invocations(aws, 'cart', 'live', '2', 19, 19);
    // Act
    service.evaluateAlarms();
    // Assess
    const alarm = await describeAlarm(name);
    expect(alarm.StateValue).toBe('OK');
    expect(alarm.StateReason).toMatch(/was not greater than the threshold \(5\.0\)/);
  });

  it('stays OK at exactly the threshold, since GreaterThanThreshold is strict', async () => {
    const name = unique('edge');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'mail', 'live', '4')));
    invocations(aws, 'mail', 'live', '4', 100, 5);
    service.evaluateAlarms();
    expect((await describeAlarm(name)).StateValue).toBe('OK');
  });

  it('goes back to OK once the failing datapoints leave the evaluated period', async () => {
    // Prepare: the failures happened two minutes ago, outside the one-minute window.
    const name = unique('recovered');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'auth', 'live', '3')));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'test' }));
    invocations(aws, 'auth', 'live', '3', 40, 40, 120_000);
    // Act
    service.evaluateAlarms();
    // Assess
    expect((await describeAlarm(name)).StateValue).toBe('OK');
  });

  it('alarms on a single metric with a statistic', async () => {
    // Prepare
    const name = unique('single');
    await cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: name, Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'solo' }],
      Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
    invocations(aws, 'solo', 'live', '1', 5, 1);
    // Act
    service.evaluateAlarms();
    // Assess
    const alarm = await describeAlarm(name);
    expect(alarm).toMatchObject({ StateValue: 'ALARM', Statistic: 'Maximum', MetricName: 'Errors', Namespace: 'AWS/Lambda', Period: 60 });
    expect(alarm.StateReason).toMatch(/greater than or equal to the threshold \(1\.0\)/);
    expect(JSON.parse(alarm.StateReasonData ?? '{}')).toMatchObject({ statistic: 'Maximum' });
  });

  it('needs DatapointsToAlarm breaching periods out of EvaluationPeriods (M of N)', async () => {
    // Prepare: 2 of 3 one-minute windows must breach; first one breaching window, then a second.
    const name = unique('m-of-n');
    const dimensions = { FunctionName: 'mofn' };
    await cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: name, Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'mofn' }],
      Statistic: 'Sum', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
    }));
    aws.services.metrics.put('AWS/Lambda', [{ metricName: 'Errors', dimensions, timestamp: aws.clock.now() - 150_000, value: 2 }]);
    service.evaluateAlarms();
    const afterOne = await describeAlarm(name);
    // Act
    aws.services.metrics.put('AWS/Lambda', [{ metricName: 'Errors', dimensions, timestamp: aws.clock.now() - 30_000, value: 1 }]);
    service.evaluateAlarms();
    // Assess
    expect(afterOne.StateValue).toBe('OK');
    expect(afterOne.StateReason).toMatch(/2 missing datapoints were treated as \[NonBreaching\]/);
    const afterTwo = await describeAlarm(name);
    expect(afterTwo.StateValue).toBe('ALARM');
    expect(afterTwo.StateReason).toMatch(/^Threshold Crossed: 2 out of the last 3 datapoints .* \(minimum 2 datapoints for OK -> ALARM transition\)\.$/);
  });

  it('treats missing data as the alarm says: missing, notBreaching, breaching or ignore', async () => {
    // Prepare
    const names = { missing: unique('tmd-missing'), notBreaching: unique('tmd-not'), breaching: unique('tmd-breaching'), ignore: unique('tmd-ignore') };
    for (const [treat, name] of Object.entries(names)) {
      await cloudwatch.send(new PutMetricAlarmCommand({
        AlarmName: name, Namespace: 'Fledge/Nothing', MetricName: 'Silence', Statistic: 'Sum', Period: 60, EvaluationPeriods: 2,
        Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: treat,
      }));
    }
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: names.ignore, StateValue: 'OK', StateReason: 'set by the test' }));
    // Act
    service.evaluateAlarms();
    // Assess
    const states = Object.fromEntries(await Promise.all(Object.entries(names).map(async ([treat, name]) => [treat, (await describeAlarm(name)).StateValue])));
    expect(states).toEqual({ missing: 'INSUFFICIENT_DATA', notBreaching: 'OK', breaching: 'ALARM', ignore: 'OK' });
    expect((await describeAlarm(names.missing)).StateReason).toBe('Unchecked: Initial alarm creation');
    expect((await describeAlarm(names.breaching)).StateReason).toMatch(/no datapoints were received for 2 periods and 2 missing datapoints were treated as \[Breaching\]/);
  });

  it('sets a state by hand with SetAlarmState until the next evaluation decides otherwise', async () => {
    // Prepare
    const name = unique('manual');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'hand', 'live', '1')));
    // Act
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'drill', StateReasonData: '{"by":"test"}' }));
    const set = await describeAlarm(name);
    service.evaluateAlarms();
    // Assess
    expect(set).toMatchObject({ StateValue: 'ALARM', StateReason: 'drill', StateReasonData: '{"by":"test"}' });
    expect((await describeAlarm(name)).StateValue).toBe('OK');
  });

  it('refuses SetAlarmState on an unknown alarm and StateReasonData that is not JSON', async () => {
    // Prepare
    const name = unique('set-bad');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'x', 'live', '1')));
    // Act
    const unknown = await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'no-such-alarm', StateValue: 'OK', StateReason: 'x' })).catch((error: unknown) => error);
    const badData = await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'OK', StateReason: 'x', StateReasonData: '{not json' })).catch((error: unknown) => error);
    // Assess
    expect(unknown).toMatchObject({ name: 'ResourceNotFound', Code: 'ResourceNotFound', $metadata: { httpStatusCode: 404 }, message: expect.stringContaining('no-such-alarm') });
    expect(badData).toMatchObject({ name: 'InvalidFormatFault', Code: 'InvalidFormat', $metadata: { httpStatusCode: 400 } });
  });

  it('deletes alarms, and deletes none when one of the names is unknown', async () => {
    // Prepare
    const [a, b] = [unique('del'), unique('del')];
    for (const name of [a, b]) await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'x', 'live', '1')));
    // Act
    const failure = await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [a, 'ghost'] })).catch((error: unknown) => error);
    const stillThere = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [a, b] }))).MetricAlarms?.length;
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [a, b] }));
    // Assess
    expect(failure).toMatchObject({ name: 'ResourceNotFound', message: expect.stringContaining("'ghost'") });
    expect(stillThere).toBe(2);
    expect((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [a, b] }))).MetricAlarms).toEqual([]);
  });

  it('filters DescribeAlarms by names, prefix and state, and pages with NextToken', async () => {
    // Prepare
    const prefix = unique('filter');
    const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const name of names) await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'x', 'live', '1')));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: names[1]!, StateValue: 'ALARM', StateReason: 'test' }));
    // Act
    const byPrefix = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }));
    const inAlarm = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, StateValue: 'ALARM' }));
    const firstPage = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, MaxRecords: 2 }));
    const secondPage = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, MaxRecords: 2, NextToken: firstPage.NextToken }));
    const both = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmNames: names })).catch((error: unknown) => error);
    const badState = await cloudwatch.send(new DescribeAlarmsCommand({ StateValue: 'RED' as never })).catch((error: unknown) => error);
    const badToken = await cloudwatch.send(new DescribeAlarmsCommand({ NextToken: 'not-a-token' })).catch((error: unknown) => error);
    // Assess
    expect(byPrefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual(names);
    expect(byPrefix.CompositeAlarms).toEqual([]);
    expect(inAlarm.MetricAlarms?.map((a) => a.AlarmName)).toEqual([names[1]]);
    expect(firstPage.MetricAlarms?.map((a) => a.AlarmName)).toEqual(names.slice(0, 2));
    expect(secondPage.MetricAlarms?.map((a) => a.AlarmName)).toEqual(names.slice(2));
    expect(secondPage.NextToken).toBeUndefined();
    expect(both).toMatchObject({ name: 'InvalidParameterCombinationException', Code: 'InvalidParameterCombination' });
    expect(badState).toMatchObject({ name: 'ValidationException', Code: 'ValidationError' });
    expect(badToken).toMatchObject({ name: 'InvalidNextToken', $metadata: { httpStatusCode: 400 } });
  });

  it('keeps the state of an alarm whose configuration is updated', async () => {
    const name = unique('update');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'x', 'live', '1')));
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'before update' }));
    await cloudwatch.send(new PutMetricAlarmCommand({ ...errorRateAlarm(name, 'x', 'live', '1'), Threshold: 10 }));
    expect(await describeAlarm(name)).toMatchObject({ StateValue: 'ALARM', StateReason: 'before update', Threshold: 10 });
  });

  it.each([
    ['Metrics together with MetricName', { MetricName: 'Errors' }, 'InvalidParameterCombinationException'],
    ['DatapointsToAlarm above EvaluationPeriods', { DatapointsToAlarm: 2 }, 'ValidationException'],
    ['an unknown comparison operator', { ComparisonOperator: 'Above' }, 'ValidationException'],
    ['an unknown TreatMissingData', { TreatMissingData: 'zero' }, 'ValidationException'],
    ['no Threshold', { Threshold: undefined }, 'MissingRequiredParameterException'],
  ])('refuses an alarm with %s', async (_what, change, errorName) => {
    const failure = await cloudwatch.send(new PutMetricAlarmCommand({ ...errorRateAlarm(unique('bad'), 'x', 'live', '1'), ...change } as PutMetricAlarmCommandInput)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: errorName, $metadata: { httpStatusCode: 400 } });
  });

  it('refuses metric math with no returned value or an unknown id, naming the problem', async () => {
    // Prepare
    const base = errorRateAlarm(unique('math'), 'x', 'live', '1');
    const metrics = base.Metrics ?? [];
    // Act
    const noneReturned = await cloudwatch.send(new PutMetricAlarmCommand({ ...base, Metrics: metrics.map((m) => ({ ...m, ReturnData: false })) })).catch((error: unknown) => error);
    const unknownId = await cloudwatch.send(new PutMetricAlarmCommand({ ...base, Metrics: [...metrics.slice(0, 2), { Id: 'rate', Expression: 'errs / invocations', ReturnData: true }] })).catch((error: unknown) => error);
    // Assess
    expect(noneReturned).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('ReturnData') });
    expect(unknownId).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("unknown metric id 'errs'") });
  });

  it('publishes the CloudWatch alarm message to the SNS topics of the state it enters', async () => {
    // Prepare
    const sns = new SNSClient(clientConfig(aws));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: unique('alarms') }));
    const to = `${unique('oncall')}@example.com`;
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: to }));
    sns.destroy();
    const name = unique('notify');
    await cloudwatch.send(new PutMetricAlarmCommand({ ...errorRateAlarm(name, 'pay', 'live', '9'), AlarmDescription: 'v9 canary', AlarmActions: [TopicArn!], OKActions: [TopicArn!] }));
    invocations(aws, 'pay', 'live', '9', 20, 20);
    // Act
    service.evaluateAlarms();
    // Assess
    const mails = await eventually(async () => {
      const { messages } = await (await fetch(`${aws.endpoint}/_fledge/sns/outbox?to=${encodeURIComponent(to)}`)).json() as { messages: { subject: string; body: string }[] };
      return messages.length > 0 ? messages : undefined;
    }, { what: 'the alarm email' });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`ALARM: "${name}" in US East (N. Virginia)`);
    const message = JSON.parse(mails[0]!.body.split('\n\n--\n')[0]!) as Record<string, unknown>;
    expect(message).toMatchObject({
      AlarmName: name, AlarmDescription: 'v9 canary', AWSAccountId: '000000000000', NewStateValue: 'ALARM', OldStateValue: 'INSUFFICIENT_DATA',
      Region: 'US East (N. Virginia)', AlarmArn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`,
      Trigger: expect.objectContaining({ Period: 60, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 5, TreatMissingData: 'notBreaching' }),
    });
    expect(message.NewStateReason).toMatch(/^Threshold Crossed/);
  });

  it('shows alarms on the inspection endpoint', async () => {
    const name = unique('inspect');
    await cloudwatch.send(new PutMetricAlarmCommand(errorRateAlarm(name, 'x', 'live', '1')));
    const body = await (await fetch(`${aws.endpoint}/_fledge/monitoring/alarms`)).json() as { alarms: { AlarmName: string; StateValue: string }[] };
    expect(body.alarms.find((a) => a.AlarmName === name)).toMatchObject({ StateValue: 'INSUFFICIENT_DATA' });
  });
});

describe('embedded CloudWatch alarm evaluation over time', () => {
  it('turns a failing canary red on its own within an evaluation interval of simulated time', async () => {
    // Prepare: one simulated second lasts 10 ms; alarms are evaluated every 10 simulated seconds.
    const aws = await startLocalAws({ port: 0, timeScale: 0.01 });
    const cloudwatch = new CloudWatchClient(clientConfig(aws));
    try {
      // A one-hour period keeps the datapoints in the evaluated window for 36 real seconds, far beyond the wait.
      const alarm = errorRateAlarm('canary-v9', 'checkout', 'live', '9');
      await cloudwatch.send(new PutMetricAlarmCommand({ ...alarm, Metrics: alarm.Metrics?.map((m) => (m.MetricStat ? { ...m, MetricStat: { ...m.MetricStat, Period: 3600 } } : m)) }));
      // Act
      invocations(aws, 'checkout', 'live', '9', 40, 10);
      // Assess
      const alarmed = await eventually(async () => {
        const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['canary-v9'], StateValue: 'ALARM' }));
        return MetricAlarms[0];
      }, { what: 'the canary alarm to turn ALARM' });
      expect(alarmed.StateReason).toMatch(/\[25\.0 /);
    } finally {
      cloudwatch.destroy();
      await aws.stop();
    }
  });

  it('keeps alarms and their state across a restart with a data directory', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-cw-'));
    try {
      const first = await startLocalAws({ port: 0, dataDir });
      const client = new CloudWatchClient(clientConfig(first));
      await client.send(new PutMetricAlarmCommand(errorRateAlarm('kept', 'x', 'live', '1')));
      await client.send(new SetAlarmStateCommand({ AlarmName: 'kept', StateValue: 'ALARM', StateReason: 'before restart' }));
      client.destroy();
      await first.stop();
      // Act
      const second = await startLocalAws({ port: 0, dataDir });
      const again = new CloudWatchClient(clientConfig(second));
      const { MetricAlarms = [] } = await again.send(new DescribeAlarmsCommand({ AlarmNames: ['kept'] }));
      again.destroy();
      await second.stop();
      // Assess
      expect(MetricAlarms[0]).toMatchObject({ AlarmName: 'kept', StateValue: 'ALARM', StateReason: 'before restart', Threshold: 5 });
      expect(MetricAlarms[0]?.Metrics).toHaveLength(3);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
