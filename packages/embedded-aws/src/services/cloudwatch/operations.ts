import type { LocalContext, MetricDatumInternal } from '../../types';
import { ALARM_STATES, alarmToWire, readPutMetricAlarm, type Alarm, type AlarmStateValue } from './alarm';
import { runAlarmActions } from './alarm-actions';
import { alarmStateChangeEvent } from './alarm-events';
import type { AlarmStore } from './alarm-store';
import { invalidFormat, invalidNextToken, invalidParameterCombination, invalidParameterValue, missingParameter, resourceNotFound, validationError } from './errors';
import { evaluateAlarm } from './evaluate-alarm';
import { dimensionsOf, optionalList, optionalNumber, optionalObject, optionalString, optionalTimestamp, requiredString, stringList, type Json } from './input';
import { MetricMathError } from './metric-math';
import { checkQueries, runQueries } from './metric-query';
import type { MetricPoint, MetricStore } from './metric-store';
import { readMetricQueries } from './query-input';

/** Marks DescribeAlarms page tokens, so a token from elsewhere is refused rather than misread. */
const TOKEN_PREFIX = 'alarms-after:';

/** The CloudWatch operations, over a metric store and an alarm store. */
export class CloudWatchOperations {
  constructor(
    private readonly context: LocalContext,
    readonly metrics: MetricStore,
    readonly alarms: AlarmStore,
  ) {}

  /** Adds datapoints from a sibling service (Lambda's AWS/Lambda metrics). */
  putInternal(namespace: string, datums: readonly MetricDatumInternal[]): void {
    for (const datum of datums) {
      this.metrics.add(
        { namespace, metricName: datum.metricName, dimensions: datum.dimensions },
        { timestamp: datum.timestamp, sum: datum.value, sampleCount: 1, minimum: datum.value, maximum: datum.value, unit: datum.unit },
      );
    }
  }

  PutMetricData(input: Json): Json {
    const namespace = requiredString(input, 'Namespace');
    if (namespace.startsWith('AWS/')) throw invalidParameterValue(`The value ${namespace} for parameter Namespace is invalid: namespaces starting with AWS/ are reserved for AWS services.`);
    const data = optionalList(input, 'MetricData') ?? [];
    if (data.length === 0) throw missingParameter('The parameter MetricData is required.');
    if (data.length > 1000) throw invalidParameterValue('The collection MetricData must not have more than 1000 members.');
    const now = this.context.clock.now();
    // Check every datum before storing any, so a bad request stores nothing.
    const parsed = data.map((item, i) => {
      const path = `MetricData.member.${i + 1}`;
      if (typeof item !== 'object' || item === null) throw invalidParameterValue(`The parameter ${path} must be a structure.`);
      const datum = item as Json;
      const metricName = requiredString(datum, 'MetricName', `${path}.MetricName`);
      const dimensions = dimensionsOf(datum, `${path}.`);
      const timestamp = optionalTimestamp(datum, 'Timestamp', `${path}.Timestamp`) ?? now;
      const unit = optionalString(datum, 'Unit', `${path}.Unit`);
      return { identity: { namespace, metricName, dimensions }, points: pointsOf(datum, path, timestamp, unit) };
    });
    for (const { identity, points } of parsed) for (const point of points) this.metrics.add(identity, point);
    return {};
  }

  GetMetricData(input: Json): Json {
    const startMs = optionalTimestamp(input, 'StartTime');
    const endMs = optionalTimestamp(input, 'EndTime');
    if (startMs === undefined) throw missingParameter('The parameter StartTime is required.');
    if (endMs === undefined) throw missingParameter('The parameter EndTime is required.');
    if (endMs <= startMs) throw validationError('The parameter StartTime must be less than the parameter EndTime.');
    const scanBy = optionalString(input, 'ScanBy') ?? 'TimestampDescending';
    if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw validationError(`1 validation error detected: Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`);
    const queries = readMetricQueries(optionalList(input, 'MetricDataQueries') ?? [], 'MetricDataQueries');
    let results;
    try {
      checkQueries(queries);
      // Periods start at StartTime rounded down (to the minute; for a high-resolution period, to
      // its division of the minute), as CloudWatch's do: so a period as long as the range gives
      // one datapoint over all of it (a percentile of the whole range).
      const finest = Math.min(60, ...queries.flatMap((q) => [q.metricStat?.period ?? 60, q.period ?? 60]));
      const origin = Math.floor(startMs / (finest * 1000)) * finest * 1000;
      results = runQueries(this.metrics, queries, { startMs: origin, endMs, origin });
    } catch (error) {
      if (error instanceof MetricMathError) throw validationError(error.message);
      throw error;
    }
    const maxDatapoints = optionalNumber(input, 'MaxDatapoints') ?? 100_800;
    const messages: Json[] = [];
    const metricDataResults = queries.filter((q) => q.returnData).map((query) => {
      const value = results.get(query.id);
      let points: [number, number][] = [];
      const queryMessages: Json[] = [];
      if (value?.kind === 'series') points = [...value.points];
      else if (value?.kind === 'scalar') queryMessages.push({ Code: 'ScalarResult', Value: `The expression returned the number ${value.value}, not a time series: there are no datapoints to show.` });
      else if (value?.kind === 'array') queryMessages.push({ Code: 'ArrayResult', Value: 'The expression returned an array of time series; aggregate it (SUM, AVG, MIN, MAX) to get datapoints.' });
      points.sort(([a], [b]) => (scanBy === 'TimestampAscending' ? a - b : b - a));
      const complete = points.length <= maxDatapoints;
      points = points.slice(0, maxDatapoints);
      return {
        Id: query.id,
        Label: query.label ?? query.metricStat?.metric.metricName ?? query.id,
        Timestamps: points.map(([t]) => t / 1000),
        Values: points.map(([, v]) => v),
        StatusCode: complete ? 'Complete' : 'PartialData',
        Messages: queryMessages,
      };
    });
    return { MetricDataResults: metricDataResults, Messages: messages };
  }

  PutMetricAlarm(input: Json): Json {
    const config = readPutMetricAlarm(input);
    const now = this.context.clock.now();
    const existing = this.alarms.get(config.alarmName);
    // Updating an alarm replaces its configuration and keeps its state, as CloudWatch does.
    const alarm: Alarm = {
      arn: `arn:aws:cloudwatch:${this.context.region}:${this.context.accountId}:alarm:${config.alarmName}`,
      config,
      configuredAt: now,
      state: existing?.state ?? { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', updatedAt: now, transitionedAt: now },
    };
    this.alarms.put(alarm);
    return {};
  }

  DescribeAlarms(input: Json): Json {
    const names = stringList(input, 'AlarmNames');
    const prefix = optionalString(input, 'AlarmNamePrefix');
    const stateValue = optionalString(input, 'StateValue');
    const actionPrefix = optionalString(input, 'ActionPrefix');
    const alarmTypes = stringList(input, 'AlarmTypes');
    if (names.length > 100) throw invalidParameterValue('The collection AlarmNames must not have more than 100 members.');
    if (names.length > 0 && prefix !== undefined) throw invalidParameterCombination('AlarmNames and AlarmNamePrefix cannot be given together.');
    if (stateValue !== undefined && !(ALARM_STATES as readonly string[]).includes(stateValue)) {
      throw validationError(`1 validation error detected: Value '${stateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [${ALARM_STATES.join(', ')}]`);
    }
    const maxRecords = optionalNumber(input, 'MaxRecords') ?? 50;
    if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 100) throw invalidParameterValue(`The parameter MaxRecords must be between 1 and 100, got ${maxRecords}.`);
    const wantsMetricAlarms = alarmTypes.length === 0 || alarmTypes.includes('MetricAlarm');
    const matching = !wantsMetricAlarms
      ? []
      : this.alarms.all().filter((alarm) =>
          (names.length === 0 || names.includes(alarm.config.alarmName)) &&
          (prefix === undefined || alarm.config.alarmName.startsWith(prefix)) &&
          (stateValue === undefined || alarm.state.value === stateValue) &&
          (actionPrefix === undefined || [...alarm.config.alarmActions, ...alarm.config.okActions, ...alarm.config.insufficientDataActions].some((a) => a.startsWith(actionPrefix))),
        );
    // The token is the name to resume after: stable while alarms are added or removed meanwhile.
    const token = optionalString(input, 'NextToken');
    const decoded = token === undefined ? undefined : Buffer.from(token, 'base64url').toString('utf8');
    if (decoded !== undefined && !decoded.startsWith(TOKEN_PREFIX)) throw invalidNextToken(`The NextToken '${token ?? ''}' is not one DescribeAlarms returned.`);
    const after = decoded?.slice(TOKEN_PREFIX.length);
    const from = after === undefined ? 0 : matching.findIndex((a) => a.config.alarmName > after);
    const page = from < 0 ? [] : matching.slice(from, from + maxRecords);
    const last = page.at(-1);
    const more = last !== undefined && matching.indexOf(last) < matching.length - 1;
    return {
      MetricAlarms: page.map(alarmToWire),
      CompositeAlarms: [],
      ...(more && { NextToken: Buffer.from(`${TOKEN_PREFIX}${last.config.alarmName}`, 'utf8').toString('base64url') }),
    };
  }

  DeleteAlarms(input: Json): Json {
    const names = stringList(input, 'AlarmNames');
    if (names.length === 0) throw missingParameter('The parameter AlarmNames is required.');
    if (names.length > 100) throw invalidParameterValue('The collection AlarmNames must not have more than 100 members.');
    // CloudWatch deletes nothing when any of the names is unknown.
    const unknown = names.filter((name) => !this.alarms.get(name));
    if (unknown.length > 0) throw resourceNotFound(`${unknown.length === 1 ? 'An alarm' : 'Alarms'} named ${unknown.map((n) => `'${n}'`).join(', ')} ${unknown.length === 1 ? 'does' : 'do'} not exist; no alarm was deleted.`);
    this.alarms.delete(names);
    return {};
  }

  SetAlarmState(input: Json): Json {
    const name = requiredString(input, 'AlarmName');
    const value = requiredString(input, 'StateValue');
    if (!(ALARM_STATES as readonly string[]).includes(value)) {
      throw validationError(`1 validation error detected: Value '${value}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [${ALARM_STATES.join(', ')}]`);
    }
    const reason = requiredString(input, 'StateReason');
    const reasonData = optionalString(input, 'StateReasonData');
    if (reasonData !== undefined) {
      try {
        JSON.parse(reasonData);
      } catch (error) {
        throw Object.assign(invalidFormat(`The parameter StateReasonData must be JSON: ${(error as Error).message}`), { cause: error });
      }
    }
    const alarm = this.alarms.get(name);
    if (!alarm) throw resourceNotFound(`An alarm named '${name}' does not exist.`);
    // The state holds until the next evaluation decides otherwise.
    this.transition(alarm, { value: value as AlarmStateValue, reason, reasonData }, true);
    return {};
  }

  /** Evaluates every alarm once, at the simulated time now; returns how many changed state. */
  evaluateAll(): number {
    const now = this.context.clock.now();
    let changed = 0;
    for (const alarm of this.alarms.all()) {
      let outcome;
      try {
        outcome = evaluateAlarm(alarm, this.metrics, now);
      } catch (error) {
        this.context.log(`cloudwatch: alarm ${alarm.config.alarmName} cannot be evaluated: ${(error as Error).message}`);
        continue;
      }
      if (outcome && outcome.value !== alarm.state.value) {
        this.transition(alarm, outcome, false);
        changed += 1;
      }
    }
    return changed;
  }

  private transition(alarm: Alarm, next: { value: AlarmStateValue; reason: string; reasonData?: string }, always: boolean): void {
    const old = alarm.state.value;
    if (!always && next.value === old) return;
    const now = this.context.clock.now();
    const previous = alarm.state;
    alarm.state = { value: next.value, reason: next.reason, reasonData: next.reasonData, updatedAt: now, transitionedAt: next.value === old ? alarm.state.transitionedAt : now };
    this.alarms.save();
    if (next.value !== old) {
      this.context.log(`cloudwatch: alarm ${alarm.config.alarmName}: ${old} -> ${next.value}: ${next.reason}`);
      runAlarmActions(this.context, alarm, old);
      // Every change of state value is an event on the default bus, as on AWS.
      this.context.services.events?.putEvent(alarmStateChangeEvent(alarm, previous));
    }
  }
}

/** The datapoints of one MetricData member: a Value, a StatisticValues set, or Values with Counts. */
function pointsOf(datum: Json, path: string, timestamp: number, unit: string | undefined): MetricPoint[] {
  const value = optionalNumber(datum, 'Value', `${path}.Value`);
  const statistics = optionalObject(datum, 'StatisticValues', `${path}.StatisticValues`);
  const values = optionalList(datum, 'Values', `${path}.Values`);
  const given = [value !== undefined && 'Value', statistics && 'StatisticValues', values && 'Values'].filter(Boolean);
  if (given.length !== 1) throw invalidParameterCombination(`${path} must have exactly one of Value, StatisticValues and Values${given.length > 1 ? `, got ${given.join(' and ')}` : ''}.`);
  if (value !== undefined) return [{ timestamp, sum: value, sampleCount: 1, minimum: value, maximum: value, unit }];
  if (statistics) {
    const read = (field: string): number => {
      const n = optionalNumber(statistics, field, `${path}.StatisticValues.${field}`);
      if (n === undefined) throw missingParameter(`The parameter ${path}.StatisticValues.${field} is required.`);
      return n;
    };
    const sampleCount = read('SampleCount');
    if (sampleCount <= 0) throw invalidParameterValue(`The parameter ${path}.StatisticValues.SampleCount must be greater than 0.`);
    return [{ timestamp, sum: read('Sum'), sampleCount, minimum: read('Minimum'), maximum: read('Maximum'), unit }];
  }
  const list = values as unknown[];
  const counts = optionalList(datum, 'Counts', `${path}.Counts`);
  if (counts && counts.length !== list.length) throw invalidParameterValue(`${path}.Counts must have as many members as ${path}.Values (${list.length}), got ${counts.length}.`);
  return list.map((v, i) => {
    const count = counts ? counts[i] : 1;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidParameterValue(`The parameter ${path}.Values.member.${i + 1} must be a number.`);
    if (typeof count !== 'number' || !(count > 0)) throw invalidParameterValue(`The parameter ${path}.Counts.member.${i + 1} must be a positive number.`);
    return { timestamp, sum: v * count, sampleCount: count, minimum: v, maximum: v, unit };
  });
}
