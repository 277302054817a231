import type { CloudWatchClient, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { DeleteAlarmsCommand, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmStatus, HealthSignals, MinuteCounts, VersionAlarmDefinition, VersionMetricsQuery, WindowQuery } from '../ports/health-signals';
import { translate } from './aws-errors';

/** DescribeAlarms and DeleteAlarms take at most 100 names per call. */
const BATCH = 100;

/** Lambda's standard metrics have 1-minute resolution. */
const MINUTE = 60_000;

/** The metrics of the new version only, through the alias (the name, not the ARN, in `Resource`). */
export function versionDimensions(functionName: string, alias: string, version: string) {
  return [
    { Name: 'FunctionName', Value: functionName },
    { Name: 'Resource', Value: `${functionName}:${alias}` },
    { Name: 'ExecutedVersion', Value: version },
  ];
}

/** The PutMetricAlarm request for fledge's alarm on the new version only (the embedded CloudWatch's tests use it too). */
export function versionAlarmInput(d: VersionAlarmDefinition): PutMetricAlarmCommandInput {
  // Errors and Invocations of the new version only, through the alias: Resource is
  // `function:alias` (the name, not the ARN) and ExecutedVersion the version that ran.
  const dimensions = versionDimensions(d.functionName, d.alias, d.version);
  const metric = (id: string, name: string) => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: dimensions }, Period: d.periodSeconds, Stat: 'Sum' },
    ReturnData: false,
  });
  return {
    AlarmName: d.alarmName,
    AlarmDescription: d.description,
    Metrics: [
      metric('errors', 'Errors'),
      metric('invocations', 'Invocations'),
      // Below the minimum number of invocations the rate reads 0: a single early error
      // out of two calls is noise, not a verdict.
      { Id: 'errorRate', Expression: `IF(FILL(invocations, 0) >= ${d.minInvocations}, 100 * FILL(errors, 0) / invocations, 0)`, Label: 'error rate (%)', ReturnData: true },
    ],
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: d.thresholdPercent,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    TreatMissingData: 'notBreaching',
    ActionsEnabled: false,
    Tags: [{ Key: 'fledge:managed', Value: 'true' }],
  };
}

/** {@link HealthSignals} over CloudWatch alarms and metrics. */
export class CloudWatchHealthAdapter implements HealthSignals {
  constructor(private readonly client: CloudWatchClient) {}

  async ensureVersionAlarm(d: VersionAlarmDefinition): Promise<void> {
    try {
      await this.client.send(new PutMetricAlarmCommand(versionAlarmInput(d)));
    } catch (error) {
      throw translate(error, `PutMetricAlarm ${d.alarmName}`);
    }
  }

  async deleteAlarms(alarmNames: readonly string[]): Promise<void> {
    for (let i = 0; i < alarmNames.length; i += BATCH) {
      try {
        await this.client.send(new DeleteAlarmsCommand({ AlarmNames: alarmNames.slice(i, i + BATCH) }));
      } catch (error) {
        // Deleting an alarm that is gone already is success.
        if ((error as { name?: string }).name === 'ResourceNotFound') continue;
        throw translate(error, `DeleteAlarms ${alarmNames.slice(i, i + BATCH).join(', ')}`);
      }
    }
  }

  async describeAlarms(alarmNames: readonly string[]): Promise<readonly AlarmStatus[]> {
    const found = new Map<string, AlarmStatus>();
    for (let i = 0; i < alarmNames.length; i += BATCH) {
      const names = alarmNames.slice(i, i + BATCH);
      let token: string | undefined;
      try {
        do {
          const out = await this.client.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], ...(token ? { NextToken: token } : {}) }));
          for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
            if (!alarm.AlarmName) continue;
            found.set(alarm.AlarmName, { name: alarm.AlarmName, state: (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmStatus['state'], ...(alarm.StateReason ? { reason: alarm.StateReason } : {}) });
          }
          token = out.NextToken;
        } while (token);
      } catch (error) {
        throw translate(error, `DescribeAlarms ${names.join(', ')}`);
      }
    }
    return alarmNames.map((name) => found.get(name) ?? { name, state: 'missing' });
  }

  async versionMetrics(q: VersionMetricsQuery): Promise<readonly MinuteCounts[]> {
    const dimensions = versionDimensions(q.functionName, q.alias, q.version);
    const metric = (id: string, name: string) => ({ Id: id, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: dimensions }, Period: 60, Stat: 'Sum' }, ReturnData: true });
    // Whole minutes, as CloudWatch stores them: from the minute `from` falls in through the end of
    // the current one, so the datapoint still being filled is counted too.
    const start = Math.floor(q.from / MINUTE) * MINUTE;
    const end = Math.max(start + MINUTE, (Math.floor(q.to / MINUTE) + 1) * MINUTE);
    const minutes = new Map<number, { errors: number; invocations: number }>();
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: [metric('errors', 'Errors'), metric('invocations', 'Invocations')],
            StartTime: new Date(start),
            EndTime: new Date(end),
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const result of out.MetricDataResults ?? []) {
          if (result.Id !== 'errors' && result.Id !== 'invocations') continue;
          const id = result.Id;
          (result.Values ?? []).forEach((value, i) => {
            const at = result.Timestamps?.[i];
            if (at === undefined) return;
            const minute = Math.floor(at.getTime() / MINUTE) * MINUTE;
            const counts = minutes.get(minute) ?? { errors: 0, invocations: 0 };
            counts[id] += value;
            minutes.set(minute, counts);
          });
        }
        token = out.NextToken;
      } while (token);
    } catch (error) {
      throw translate(error, `GetMetricData errors and invocations of ${q.functionName}:${q.alias} version ${q.version}`);
    }
    return [...minutes].sort(([a], [b]) => a - b).map(([minute, counts]) => ({ minute, ...counts }));
  }

  async windowValues(q: WindowQuery): Promise<ReadonlyMap<string, number>> {
    // One period covering the window: CloudWatch starts periods at the StartTime (rounded down to
    // the minute), so each query answers with at most one datapoint for the whole window.
    const start = Math.floor(q.from / MINUTE) * MINUTE;
    const end = Math.max(start + MINUTE, (Math.floor(q.to / MINUTE) + 1) * MINUTE);
    const period = (end - start) / 1000;
    const values = new Map<string, number>();
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: q.queries.map((query) =>
              'expression' in query
                ? { Id: query.id, Expression: query.expression, Period: period, ReturnData: query.returnData }
                : {
                    Id: query.id,
                    MetricStat: { Metric: { Namespace: query.namespace, MetricName: query.metricName, Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: period, Stat: query.stat },
                    ReturnData: query.returnData,
                  },
            ),
            StartTime: new Date(start),
            EndTime: new Date(end),
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const result of out.MetricDataResults ?? []) {
          const value = result.Values?.[0];
          if (result.Id !== undefined && value !== undefined && Number.isFinite(value)) values.set(result.Id, value);
        }
        token = out.NextToken;
      } while (token);
    } catch (error) {
      throw translate(error, `GetMetricData ${q.queries.length} health signal quer${q.queries.length === 1 ? 'y' : 'ies'}`);
    }
    return values;
  }
}
