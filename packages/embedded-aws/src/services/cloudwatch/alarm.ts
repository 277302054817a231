import { invalidParameterCombination, invalidParameterValue, missingParameter, validationError } from './errors';
import { dimensionList, dimensionsOf, optionalBoolean, optionalList, optionalNumber, optionalString, requiredNumber, requiredString, stringList, type Json } from './input';
import { MetricMathError } from './metric-math';
import { checkQueries, expressionPeriod, type MetricQuery } from './metric-query';
import { PERCENTILE, type Statistic } from './metric-store';
import { checkPeriod, checkStatistic, readMetricQueries } from './query-input';

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmStateValue = (typeof ALARM_STATES)[number];

export const COMPARISON_OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export const TREAT_MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

/** What PutMetricAlarm sets: either a single metric or a list of metric-math queries. */
export interface AlarmConfig {
  readonly alarmName: string;
  readonly alarmDescription?: string;
  readonly actionsEnabled: boolean;
  readonly okActions: readonly string[];
  readonly alarmActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
  readonly single?: { readonly namespace: string; readonly metricName: string; readonly dimensions: Readonly<Record<string, string>>; readonly statistic: Statistic; readonly period: number; readonly unit?: string };
  readonly metrics?: readonly MetricQuery[];
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly treatMissingData?: TreatMissingData;
}

export interface AlarmState {
  readonly value: AlarmStateValue;
  readonly reason: string;
  readonly reasonData?: string;
  /** Simulated epoch ms of the last change of state value or reason. */
  readonly updatedAt: number;
  /** Simulated epoch ms of the last change of state value. */
  readonly transitionedAt: number;
}

/** A stored alarm: its configuration and its current state. */
export interface Alarm {
  readonly arn: string;
  readonly config: AlarmConfig;
  readonly configuredAt: number;
  state: AlarmState;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined, path: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw validationError(`1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

/** Reads and checks a PutMetricAlarm request the way CloudWatch does, naming the member at fault. */
export function readPutMetricAlarm(input: Json): AlarmConfig {
  const alarmName = requiredString(input, 'AlarmName');
  if (alarmName.length > 255) throw invalidParameterValue('The parameter AlarmName must be at most 255 characters long.');
  const comparisonOperator = oneOf(COMPARISON_OPERATORS, requiredString(input, 'ComparisonOperator'), 'comparisonOperator');
  const evaluationPeriods = requiredNumber(input, 'EvaluationPeriods');
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) throw invalidParameterValue(`The parameter EvaluationPeriods must be a positive integer, got ${evaluationPeriods}.`);
  const datapointsToAlarm = optionalNumber(input, 'DatapointsToAlarm');
  if (datapointsToAlarm !== undefined && (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)) {
    throw validationError(`DatapointsToAlarm (${datapointsToAlarm}) must be a positive integer no greater than EvaluationPeriods (${evaluationPeriods}).`);
  }
  if (input.ThresholdMetricId !== undefined) throw invalidParameterValue('ThresholdMetricId (anomaly detection bands) is not supported by the embedded CloudWatch.');
  const threshold = optionalNumber(input, 'Threshold');
  if (threshold === undefined) throw missingParameter('The parameter Threshold is required.');
  const metricsList = optionalList(input, 'Metrics');
  const metricName = optionalString(input, 'MetricName');
  const singleFields = ['MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions', 'Period', 'Unit'].filter((f) => input[f] !== undefined && input[f] !== null);
  let single: AlarmConfig['single'];
  let metrics: MetricQuery[] | undefined;
  if (metricsList) {
    if (singleFields.length > 0) throw invalidParameterCombination(`Metrics cannot be combined with ${singleFields.join(', ')}: give either a single metric or Metrics.`);
    if (metricsList.length > 10) throw validationError('The collection Metrics must not have more than 10 members.');
    metrics = readMetricQueries(metricsList, 'Metrics');
    try {
      checkQueries(metrics);
    } catch (error) {
      if (error instanceof MetricMathError) throw validationError(error.message);
      throw error;
    }
    const returned = metrics.filter((m) => m.returnData);
    if (returned.length !== 1) throw validationError(`Exactly one element of the Metrics list must have ReturnData set to true; ${returned.length} do.`);
  } else {
    if (metricName === undefined) throw missingParameter('Either MetricName (with Namespace, Statistic and Period) or Metrics is required.');
    // Exactly one of Statistic (a plain one) and ExtendedStatistic (a percentile), as CloudWatch asks.
    const extended = optionalString(input, 'ExtendedStatistic');
    if ((extended === undefined) === (input.Statistic === undefined || input.Statistic === null)) throw invalidParameterCombination('Exactly one of Statistic and ExtendedStatistic must be given with MetricName.');
    if (extended !== undefined && !PERCENTILE.test(extended)) throw invalidParameterValue(`The parameter ExtendedStatistic must be a percentile p0 to p100 (p99, p99.9), got '${extended}'.`);
    const plain = extended === undefined ? requiredString(input, 'Statistic') : undefined;
    if (plain !== undefined && PERCENTILE.test(plain)) throw invalidParameterValue(`The parameter Statistic takes a plain statistic; give the percentile '${plain}' as ExtendedStatistic.`);
    const period = optionalNumber(input, 'Period');
    if (period === undefined) throw missingParameter('The parameter Period is required with MetricName.');
    single = {
      namespace: requiredString(input, 'Namespace'),
      metricName,
      dimensions: dimensionsOf(input, ''),
      statistic: extended !== undefined ? (extended as Statistic) : checkStatistic(plain ?? '', 'Statistic'),
      period: checkPeriod(period, 'Period'),
      unit: optionalString(input, 'Unit'),
    };
  }
  const config: AlarmConfig = {
    alarmName,
    alarmDescription: optionalString(input, 'AlarmDescription'),
    actionsEnabled: optionalBoolean(input, 'ActionsEnabled') ?? true,
    okActions: stringList(input, 'OKActions'),
    alarmActions: stringList(input, 'AlarmActions'),
    insufficientDataActions: stringList(input, 'InsufficientDataActions'),
    single,
    metrics,
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    comparisonOperator: comparisonOperator as ComparisonOperator,
    treatMissingData: oneOf(TREAT_MISSING_DATA, optionalString(input, 'TreatMissingData'), 'treatMissingData'),
  };
  if (alarmPeriod(config) >= 60 && alarmPeriod(config) * evaluationPeriods > 86_400) {
    throw validationError(`Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400, got ${alarmPeriod(config) * evaluationPeriods}).`);
  }
  return config;
}

/** The period (seconds) an alarm evaluates at: its metric's, or the returned query's. */
export function alarmPeriod(config: AlarmConfig): number {
  if (config.single) return config.single.period;
  const metrics = config.metrics ?? [];
  const returned = metrics.find((m) => m.returnData) as MetricQuery;
  return returned.metricStat?.period ?? expressionPeriod(metrics, returned);
}

/** The queries an alarm evaluates; a single-metric alarm becomes one query. */
export function alarmQueries(config: AlarmConfig): readonly MetricQuery[] {
  if (config.metrics) return config.metrics;
  const s = config.single as NonNullable<AlarmConfig['single']>;
  return [{ id: 'm1', returnData: true, metricStat: { metric: s, period: s.period, stat: s.statistic, unit: s.unit } }];
}

const seconds = (ms: number): number => ms / 1000;

function queryToWire(q: MetricQuery): Json {
  return {
    Id: q.id,
    ...(q.label !== undefined && { Label: q.label }),
    ReturnData: q.returnData,
    ...(q.expression !== undefined && { Expression: q.expression }),
    ...(q.period !== undefined && { Period: q.period }),
    ...(q.metricStat && {
      MetricStat: {
        Metric: { Namespace: q.metricStat.metric.namespace, MetricName: q.metricStat.metric.metricName, Dimensions: dimensionList(q.metricStat.metric.dimensions) },
        Period: q.metricStat.period,
        Stat: q.metricStat.stat,
        ...(q.metricStat.unit !== undefined && { Unit: q.metricStat.unit }),
      },
    }),
  };
}

/** The `MetricAlarm` wire shape DescribeAlarms returns. */
export function alarmToWire(alarm: Alarm): Json {
  const { config, state } = alarm;
  return {
    AlarmName: config.alarmName,
    AlarmArn: alarm.arn,
    ...(config.alarmDescription !== undefined && { AlarmDescription: config.alarmDescription }),
    AlarmConfigurationUpdatedTimestamp: seconds(alarm.configuredAt),
    ActionsEnabled: config.actionsEnabled,
    OKActions: config.okActions,
    AlarmActions: config.alarmActions,
    InsufficientDataActions: config.insufficientDataActions,
    StateValue: state.value,
    StateReason: state.reason,
    ...(state.reasonData !== undefined && { StateReasonData: state.reasonData }),
    StateUpdatedTimestamp: seconds(state.updatedAt),
    StateTransitionedTimestamp: seconds(state.transitionedAt),
    ...(config.single && {
      MetricName: config.single.metricName,
      Namespace: config.single.namespace,
      ...(PERCENTILE.test(config.single.statistic) ? { ExtendedStatistic: config.single.statistic } : { Statistic: config.single.statistic }),
      Dimensions: dimensionList(config.single.dimensions),
      Period: config.single.period,
      ...(config.single.unit !== undefined && { Unit: config.single.unit }),
    }),
    ...(config.metrics && { Metrics: config.metrics.map(queryToWire), Dimensions: [] }),
    EvaluationPeriods: config.evaluationPeriods,
    ...(config.datapointsToAlarm !== undefined && { DatapointsToAlarm: config.datapointsToAlarm }),
    Threshold: config.threshold,
    ComparisonOperator: config.comparisonOperator,
    ...(config.treatMissingData !== undefined && { TreatMissingData: config.treatMissingData }),
  };
}
