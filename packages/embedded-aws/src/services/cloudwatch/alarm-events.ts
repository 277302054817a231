import { createHash } from 'node:crypto';
import type { Alarm, AlarmState } from './alarm';
import type { MetricQuery } from './metric-query';

/** CloudWatch's timestamp in its events: milliseconds and a `+0000` offset (`2019-10-02T17:04:40.985+0000`). */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function stateOf(state: AlarmState): Record<string, unknown> {
  return { value: state.value, reason: state.reason, ...(state.reasonData !== undefined && { reasonData: state.reasonData }), timestamp: timestamp(state.transitionedAt) };
}

function queryOf(query: MetricQuery): Record<string, unknown> {
  return {
    id: query.id,
    ...(query.expression !== undefined && { expression: query.expression }),
    ...(query.label !== undefined && { label: query.label }),
    ...(query.metricStat && {
      metricStat: {
        metric: { namespace: query.metricStat.metric.namespace, name: query.metricStat.metric.metricName, dimensions: { ...query.metricStat.metric.dimensions } },
        period: query.metricStat.period,
        stat: query.metricStat.stat,
        ...(query.metricStat.unit !== undefined && { unit: query.metricStat.unit }),
      },
    }),
    returnData: query.returnData,
  };
}

/**
 * The `detail` of the EventBridge event CloudWatch emits when an alarm changes state (source
 * `aws.cloudwatch`, detail-type "CloudWatch Alarm State Change"): the alarm's name, its
 * configuration (description and metrics; a single-metric alarm's one metric gets a generated id,
 * as AWS's does), and the previous and new state with reason, reason data and timestamp.
 */
export function alarmStateChangeEvent(alarm: Alarm, previous: AlarmState): { source: string; detailType: string; resources: string[]; detail: Record<string, unknown>; time: number } {
  const { config } = alarm;
  const single = config.single;
  const metrics = single
    ? [queryOf({ id: idOf(alarm.arn), returnData: true, metricStat: { metric: single, period: single.period, stat: single.statistic, ...(single.unit !== undefined && { unit: single.unit }) } })]
    : (config.metrics ?? []).map(queryOf);
  return {
    source: 'aws.cloudwatch',
    detailType: 'CloudWatch Alarm State Change',
    resources: [alarm.arn],
    time: alarm.state.transitionedAt,
    detail: {
      alarmName: config.alarmName,
      configuration: { ...(config.alarmDescription !== undefined && { description: config.alarmDescription }), metrics },
      previousState: stateOf(previous),
      state: stateOf(alarm.state),
    },
  };
}

/** A stable id in the UUID form AWS gives a single-metric alarm's metric. */
function idOf(arn: string): string {
  const hex = createHash('sha256').update(arn).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
