import type { LocalContext } from '../../types';
import { alarmPeriod, type Alarm, type AlarmStateValue } from './alarm';
import { dimensionList } from './input';

/** Region display names CloudWatch puts in alarm notifications, for the regions fledge is likely run in. */
const REGION_NAMES: Readonly<Record<string, string>> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-central-1': 'EU (Frankfurt)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
};

/** The actions an alarm runs when it enters a state. */
function actionsFor(alarm: Alarm, state: AlarmStateValue): readonly string[] {
  if (!alarm.config.actionsEnabled) return [];
  return state === 'ALARM' ? alarm.config.alarmActions : state === 'OK' ? alarm.config.okActions : alarm.config.insufficientDataActions;
}

/** The JSON message CloudWatch publishes to SNS on an alarm state change. */
export function alarmNotification(alarm: Alarm, oldState: AlarmStateValue, region: string, accountId: string): { subject: string; message: string } {
  const { config, state } = alarm;
  const regionName = REGION_NAMES[region] ?? region;
  const trigger = config.single
    ? {
        MetricName: config.single.metricName,
        Namespace: config.single.namespace,
        StatisticType: 'Statistic',
        Statistic: config.single.statistic.toUpperCase(),
        Unit: config.single.unit ?? null,
        Dimensions: dimensionList(config.single.dimensions).map(({ Name, Value }) => ({ value: Value, name: Name })),
      }
    : {
        Metrics: (config.metrics ?? []).map((m) => ({
          Id: m.id,
          ...(m.expression !== undefined && { Expression: m.expression }),
          ...(m.metricStat && { MetricStat: { Metric: { Namespace: m.metricStat.metric.namespace, MetricName: m.metricStat.metric.metricName, Dimensions: dimensionList(m.metricStat.metric.dimensions).map(({ Name, Value }) => ({ value: Value, name: Name })) }, Period: m.metricStat.period, Stat: m.metricStat.stat } }),
          ReturnData: m.returnData,
        })),
      };
  const message = {
    AlarmName: config.alarmName,
    AlarmDescription: config.alarmDescription ?? null,
    AWSAccountId: accountId,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configuredAt).toISOString().replace('Z', '+0000'),
    NewStateValue: state.value,
    NewStateReason: state.reason,
    StateChangeTime: new Date(state.transitionedAt).toISOString().replace('Z', '+0000'),
    Region: regionName,
    AlarmArn: alarm.arn,
    OldStateValue: oldState,
    OKActions: config.okActions,
    AlarmActions: config.alarmActions,
    InsufficientDataActions: config.insufficientDataActions,
    Trigger: {
      ...trigger,
      Period: alarmPeriod(config),
      EvaluationPeriods: config.evaluationPeriods,
      DatapointsToAlarm: config.datapointsToAlarm ?? config.evaluationPeriods,
      ComparisonOperator: config.comparisonOperator,
      Threshold: config.threshold,
      TreatMissingData: config.treatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: '',
    },
  };
  // SNS subjects are limited to 100 characters.
  const subject = `${state.value}: "${config.alarmName}" in ${regionName}`.slice(0, 100);
  return { subject, message: JSON.stringify(message) };
}

/**
 * Runs the actions of the state an alarm just entered. SNS topic ARNs are published to through
 * the embedded SNS; other actions (Auto Scaling, EC2, Systems Manager) have nothing to act on
 * here and are logged. Failures are logged, never thrown: an action cannot undo a transition.
 */
export function runAlarmActions(context: LocalContext, alarm: Alarm, oldState: AlarmStateValue): void {
  const actions = actionsFor(alarm, alarm.state.value);
  if (actions.length === 0) return;
  const { subject, message } = alarmNotification(alarm, oldState, context.region, context.accountId);
  for (const action of actions) {
    if (!action.startsWith('arn:aws:sns:')) {
      context.log(`cloudwatch: alarm ${alarm.config.alarmName}: action ${action} is not an SNS topic; the embedded AWS skips it`);
      continue;
    }
    const sns = context.services.sns;
    if (!sns) {
      context.log(`cloudwatch: alarm ${alarm.config.alarmName}: cannot notify ${action}: SNS is not running`);
      continue;
    }
    sns.publish({ topicArn: action, subject, message }).then(
      (messageId) => context.log(`cloudwatch: alarm ${alarm.config.alarmName} -> ${alarm.state.value}: published ${messageId} to ${action}`),
      (error: unknown) => context.log(`cloudwatch: alarm ${alarm.config.alarmName}: publishing to ${action} failed: ${(error as Error).message}`),
    );
  }
}
