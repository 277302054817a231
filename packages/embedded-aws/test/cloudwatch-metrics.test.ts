import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig } from '../src/testing/clients';
import { percentileOf } from '../src/services/cloudwatch/metric-store';

const MINUTE = 60_000;

describe('embedded CloudWatch metrics', () => {
  let aws: LocalAws;
  let cloudwatch: CloudWatchClient;
  /** A minute boundary ten minutes back: datapoints stamped from here fall into known periods. */
  let base: number;
  let namespaceCounter = 0;
  const freshNamespace = (): string => `Fledge/Test${++namespaceCounter}`;
  const stat = (id: string, namespace: string, metricName: string, statName: string, period = 60, dimensions = [{ Name: 'FunctionName', Value: 'checkout' }]): MetricDataQuery => ({
    Id: id,
    MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions }, Period: period, Stat: statName },
  });
  const at = (ms: number): Date => new Date(ms);

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    cloudwatch = new CloudWatchClient(clientConfig(aws));
    base = Math.floor(aws.clock.now() / MINUTE) * MINUTE - 10 * MINUTE;
  });
  afterAll(async () => {
    cloudwatch.destroy();
    await aws.stop();
  });

  async function putValues(namespace: string, metricName: string, points: [offsetMs: number, value: number][], dimensions = [{ Name: 'FunctionName', Value: 'checkout' }]): Promise<void> {
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: points.map(([offset, value]) => ({ MetricName: metricName, Dimensions: dimensions, Timestamp: at(base + offset), Value: value, Unit: 'Count' })) }));
  }

  it('computes every statistic per period, on period boundaries, newest first by default', async () => {
    // Prepare
    const namespace = freshNamespace();
    await putValues(namespace, 'Latency', [[1_000, 10], [20_000, 30], [59_000, 20], [MINUTE + 5_000, 7]]);
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base),
      EndTime: at(base + 5 * MINUTE),
      MetricDataQueries: ['Sum', 'Average', 'SampleCount', 'Minimum', 'Maximum'].map((s) => stat(s.toLowerCase(), namespace, 'Latency', s)),
    }));
    // Assess
    const byId = Object.fromEntries((result.MetricDataResults ?? []).map((r) => [r.Id, r]));
    expect(byId.sum?.Timestamps).toEqual([at(base + MINUTE), at(base)]);
    expect(byId.sum?.Values).toEqual([7, 60]);
    expect(byId.average?.Values).toEqual([7, 20]);
    expect(byId.samplecount?.Values).toEqual([1, 3]);
    expect(byId.minimum?.Values).toEqual([7, 10]);
    expect(byId.maximum?.Values).toEqual([7, 30]);
    expect(byId.sum?.StatusCode).toBe('Complete');
    expect(byId.sum?.Label).toBe('Latency');
  });

  it('aligns datapoints to the start of each period and can scan oldest first', async () => {
    // Prepare: five-minute periods start on five-minute boundaries of the clock.
    const namespace = freshNamespace();
    const five = Math.ceil(base / (5 * MINUTE)) * 5 * MINUTE - 5 * MINUTE;
    await cloudwatch.send(new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [[30_000, 1], [4 * MINUTE + 59_000, 2], [5 * MINUTE, 4]].map(([offset, value]) => ({ MetricName: 'Requests', Timestamp: at(five + (offset as number)), Value: value })),
    }));
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(five + 10_000), // not on a boundary: rounded down to it
      EndTime: at(five + 10 * MINUTE),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [stat('requests', namespace, 'Requests', 'Sum', 300, [])],
    }));
    // Assess
    expect(result.MetricDataResults?.[0]?.Timestamps).toEqual([at(five), at(five + 5 * MINUTE)]);
    expect(result.MetricDataResults?.[0]?.Values).toEqual([3, 4]);
  });

  it('treats dimensions as an exact set: a metric with more dimensions is another metric', async () => {
    // Prepare
    const namespace = freshNamespace();
    const byVersion = [{ Name: 'FunctionName', Value: 'checkout' }, { Name: 'ExecutedVersion', Value: '7' }];
    await putValues(namespace, 'Errors', [[1_000, 1]]);
    await putValues(namespace, 'Errors', [[2_000, 5]], byVersion);
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + MINUTE),
      MetricDataQueries: [stat('fn', namespace, 'Errors', 'Sum'), stat('version', namespace, 'Errors', 'Sum', 60, [...byVersion].reverse())],
    }));
    // Assess
    expect(result.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([['fn', [1]], ['version', [5]]]);
  });

  it('accepts statistic sets and value lists with counts', async () => {
    // Prepare
    const namespace = freshNamespace();
    await cloudwatch.send(new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [
        { MetricName: 'Duration', Timestamp: at(base + 1_000), StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 10, Maximum: 40 } },
        { MetricName: 'Duration', Timestamp: at(base + 2_000), Values: [5, 50], Counts: [2, 1] },
      ],
    }));
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + MINUTE),
      MetricDataQueries: ['Sum', 'SampleCount', 'Minimum', 'Maximum'].map((s) => stat(s.toLowerCase(), namespace, 'Duration', s, 60, [])),
    }));
    // Assess
    expect(result.MetricDataResults?.map((r) => r.Values?.[0])).toEqual([160, 7, 5, 50]);
  });

  it('answers percentiles (p50, p90, p99, p99.9) over single values and value lists, not over statistic sets', async () => {
    // Prepare: 1..100 ms in one minute (values with counts: 100 twice), and a statistic set in the next.
    const namespace = freshNamespace();
    await cloudwatch.send(new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [
        { MetricName: 'Duration', Timestamp: at(base + 1_000), Values: Array.from({ length: 99 }, (_, i) => i + 1) },
        { MetricName: 'Duration', Timestamp: at(base + 2_000), Values: [100], Counts: [2] },
        { MetricName: 'Duration', Timestamp: at(base + MINUTE + 1_000), StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 10, Maximum: 40 } },
      ],
    }));
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + 2 * MINUTE), ScanBy: 'TimestampAscending',
      MetricDataQueries: ['p50', 'p90', 'p99', 'p99.9', 'SampleCount'].map((s, i) => stat(`q${i}`, namespace, 'Duration', s, 60, [])),
    }));
    const refused = await cloudwatch.send(new GetMetricDataCommand({ StartTime: at(base), EndTime: at(base + MINUTE), MetricDataQueries: [stat('bad', namespace, 'Duration', 'p101', 60, [])] })).catch((error: unknown) => error);
    // Assess: nearest rank over 101 samples; the statistic-set minute has a sample count but no percentiles.
    expect(result.MetricDataResults?.map((r) => r.Values)).toEqual([[51], [91], [100], [100], [101, 4]]);
    expect(result.MetricDataResults?.[0]?.Timestamps).toEqual([at(base)]);
    expect((refused as Error).name).toBe('InvalidParameterValueException');
    expect((refused as Error).message).toContain('p101');
  });

  it('starts periods at the rounded StartTime, so one period as long as the range gives one percentile over all of it', async () => {
    // Prepare: three minutes that straddle a five-minute boundary of the clock.
    const namespace = freshNamespace();
    const five = Math.ceil(base / (5 * MINUTE)) * 5 * MINUTE - 5 * MINUTE;
    const start = five + 3 * MINUTE;
    await cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: [[10_000, 10], [MINUTE + 10_000, 20], [2 * MINUTE + 10_000, 30]].map(([offset, value]) => ({ MetricName: 'Duration', Timestamp: at(start + (offset as number)), Value: value })) }));
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({ StartTime: at(start + 20_000), EndTime: at(start + 3 * MINUTE), MetricDataQueries: [stat('p', namespace, 'Duration', 'p90', 180, [])] }));
    // Assess
    expect(result.MetricDataResults?.[0]?.Timestamps).toEqual([at(start)]);
    expect(result.MetricDataResults?.[0]?.Values).toEqual([30]);
  });

  it("computes fledge's error-rate expression with IF and FILL, hiding queries without ReturnData", async () => {
    // Prepare: minute 0 has 40 invocations and 4 errors, minute 1 has 10 invocations (too few), minute 2 has none.
    const namespace = freshNamespace();
    await putValues(namespace, 'Invocations', [[1_000, 40], [MINUTE + 1_000, 10]]);
    await putValues(namespace, 'Errors', [[2_000, 4], [MINUTE + 2_000, 10]]);
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + 3 * MINUTE), ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        { ...stat('errors', namespace, 'Errors', 'Sum'), ReturnData: false },
        { ...stat('invocations', namespace, 'Invocations', 'Sum'), ReturnData: false },
        { Id: 'errorRate', Expression: 'IF(FILL(invocations, 0) >= 20, 100 * FILL(errors, 0) / invocations, 0)', Label: 'error rate' },
        { Id: 'filled', Expression: 'FILL(errors, 0) + 1' },
      ],
    }));
    // Assess
    expect(result.MetricDataResults?.map((r) => r.Id)).toEqual(['errorRate', 'filled']);
    const [rate, filled] = result.MetricDataResults ?? [];
    expect(rate?.Label).toBe('error rate');
    expect(rate?.Timestamps).toEqual([at(base), at(base + MINUTE), at(base + 2 * MINUTE)]);
    expect(rate?.Values).toEqual([10, 0, 0]);
    expect(filled?.Values).toEqual([5, 11, 1]);
  });

  it('evaluates arithmetic, comparisons, logic and aggregates in metric math', async () => {
    // Prepare
    const namespace = freshNamespace();
    await putValues(namespace, 'A', [[1_000, 6], [MINUTE + 1_000, 2]]);
    await putValues(namespace, 'B', [[1_000, 3], [MINUTE + 1_000, 0]]);
    const a = stat('a', namespace, 'A', 'Sum');
    const b = stat('b', namespace, 'B', 'Sum');
    const expressions: Record<string, string> = {
      arith: '(a - b) * 2 / b + 2 ^ 2',
      cmp: '(a > b) + (a >= 6) * 10 + (a == 2) * 100 + (a != 2) * 1000 + (b < 1) * 10000 + (b <= 3) * 100000',
      logic: 'IF(a > 4 AND b > 0 || a == 2, a, -1)',
      sums: 'SUM([a, b])',
      total: 'a * 0 + SUM(a)',
      maxes: 'MAX([a, b]) - MIN([a, b]) + ABS(-1)',
    };
    // Act
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + 2 * MINUTE), ScanBy: 'TimestampAscending',
      MetricDataQueries: [{ ...a, ReturnData: false }, { ...b, ReturnData: false }, ...Object.entries(expressions).map(([Id, Expression]) => ({ Id, Expression }))],
    }));
    // Assess
    const values = Object.fromEntries((result.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(values).toEqual({
      arith: [6], // (6-3)*2/3 + 2^2; the second minute divides by zero and is dropped
      cmp: [1 + 10 + 1000 + 100000, 1 + 100 + 10000 + 100000],
      logic: [6, 2],
      sums: [9, 2],
      total: [8, 8],
      maxes: [4, 3],
    });
  });

  it('reports a malformed expression as ValidationError, naming the query', async () => {
    // Act
    const failure = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + MINUTE),
      MetricDataQueries: [{ Id: 'rate', Expression: '100 * (errors / ' }],
    })).catch((error: unknown) => error);
    // Assess
    expect(failure).toMatchObject({ name: 'ValidationException', Code: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    expect((failure as Error).message).toMatch(/Error in expression 'rate'/);
  });

  it('refuses an expression that refers to an unknown id', async () => {
    const failure = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + MINUTE),
      MetricDataQueries: [{ Id: 'rate', Expression: 'errors * 2' }],
    })).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("unknown metric id 'errors'") });
  });

  it('names the member at fault when a period is invalid', async () => {
    const failure = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + MINUTE),
      MetricDataQueries: [stat('ok', 'N', 'M', 'Sum'), stat('bad', 'N', 'M', 'Sum', 45)],
    })).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'InvalidParameterValueException', Code: 'InvalidParameterValue', message: expect.stringContaining('MetricDataQueries.member.2.MetricStat.Period') });
  });

  it('refuses metrics in the reserved AWS/ namespaces from PutMetricData', async () => {
    const failure = await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: [{ MetricName: 'Errors', Value: 1 }] })).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses a datum with both a value and a statistic set, storing nothing from the request', async () => {
    // Prepare
    const namespace = freshNamespace();
    // Act
    const failure = await cloudwatch.send(new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [{ MetricName: 'Good', Timestamp: at(base + 1_000), Value: 1 }, { MetricName: 'Bad', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }],
    })).catch((error: unknown) => error);
    // Assess
    expect(failure).toMatchObject({ name: 'InvalidParameterCombinationException', message: expect.stringContaining('MetricData.member.2') });
    const result = await cloudwatch.send(new GetMetricDataCommand({ StartTime: at(base), EndTime: at(base + MINUTE), MetricDataQueries: [stat('good', namespace, 'Good', 'Sum', 60, [])] }));
    expect(result.MetricDataResults?.[0]?.Values).toEqual([]);
  });

  it('stores the AWS/Lambda metrics other services put through the internal API', async () => {
    // Prepare
    const dimensions = { FunctionName: 'orders', Resource: 'orders:live', ExecutedVersion: '3' };
    // Act
    aws.services.metrics.put('AWS/Lambda', [
      { metricName: 'Invocations', dimensions, timestamp: base + 1_000, value: 1, unit: 'Count' },
      { metricName: 'Invocations', dimensions, timestamp: base + 2_000, value: 1, unit: 'Count' },
    ]);
    // Assess
    const result = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: at(base), EndTime: at(base + MINUTE),
      MetricDataQueries: [stat('inv', 'AWS/Lambda', 'Invocations', 'Sum', 60, Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })))],
    }));
    expect(result.MetricDataResults?.[0]?.Values).toEqual([2]);
    const inspected = await (await fetch(`${aws.endpoint}/_fledge/monitoring/metrics?namespace=AWS/Lambda&name=Invocations`)).json() as { metrics: { Dimensions: unknown[]; datapoints: unknown[] }[] };
    expect(inspected.metrics).toHaveLength(1);
    expect(inspected.metrics[0]?.datapoints).toHaveLength(2);
  });

  it('answers an injected throttle with Throttling and an injected server error with InternalServiceError', async () => {
    // Prepare
    aws.faults.add({ service: 'monitoring', operation: 'GetMetricData', kind: 'throttle', count: 1 });
    aws.faults.add({ service: 'monitoring', operation: 'PutMetricData', kind: 'serverError', count: 1 });
    const query = new GetMetricDataCommand({ StartTime: at(base), EndTime: at(base + MINUTE), MetricDataQueries: [stat('m', 'N', 'M', 'Sum')] });
    // Act
    const throttled = await cloudwatch.send(query).catch((error: unknown) => error);
    const failed = await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [{ MetricName: 'M', Value: 1 }] })).catch((error: unknown) => error);
    const afterwards = await cloudwatch.send(query);
    // Assess
    expect(throttled).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(failed).toMatchObject({ name: 'InternalServiceFault', Code: 'InternalServiceError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(afterwards.MetricDataResults).toHaveLength(1);
  });
});

describe('embedded CloudWatch percentiles', () => {
  it('takes the nearest rank over weighted samples', () => {
    // Assess
    expect(percentileOf([[1, 1], [2, 1], [3, 1], [4, 1]], 50)).toBe(2);
    expect(percentileOf([[10, 99], [1000, 1]], 99)).toBe(10);
    expect(percentileOf([[10, 98], [1000, 2]], 99)).toBe(1000);
  });
});
