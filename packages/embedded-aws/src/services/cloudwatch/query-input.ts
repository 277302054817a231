import { invalidParameterCombination, invalidParameterValue, missingParameter, validationError } from './errors';
import { dimensionsOf, optionalBoolean, optionalNumber, optionalObject, optionalString, requiredString, type Json } from './input';
import type { MetricQuery } from './metric-query';
import { PERCENTILE, STATISTICS, type Statistic } from './metric-store';

/** Periods CloudWatch accepts: high-resolution 1/5/10/20/30 s, or any multiple of 60 s. */
export function checkPeriod(period: number, path: string): number {
  if (!Number.isInteger(period) || period < 1 || (period < 60 ? ![1, 5, 10, 20, 30].includes(period) : period % 60 !== 0)) {
    throw invalidParameterValue(`The parameter ${path} must be 1, 5, 10, 20, 30 or a multiple of 60 seconds, got ${String(period)}.`);
  }
  return period;
}

/**
 * A statistic name: a plain one or a percentile (`p99`, `p99.9`), as CloudWatch writes them.
 * Trimmed means and other extended statistics are refused: the embedded CloudWatch does not compute them.
 */
export function checkStatistic(stat: string, path: string): Statistic {
  if ((STATISTICS as readonly string[]).includes(stat) || PERCENTILE.test(stat)) return stat as Statistic;
  throw invalidParameterValue(`The parameter ${path} must be one of ${STATISTICS.join(', ')} or a percentile p0 to p100 (p99, p99.9), got '${stat}'.`);
}

const ID = /^[a-z][a-zA-Z0-9_]*$/;

/** Reads a `MetricDataQueries` / alarm `Metrics` list, checking each member where it is. */
export function readMetricQueries(list: unknown[], listPath: string): MetricQuery[] {
  if (list.length === 0) throw missingParameter(`The parameter ${listPath} must have at least one member.`);
  if (list.length > 500) throw invalidParameterValue(`The collection ${listPath} must not have more than 500 members.`);
  return list.map((item, i) => {
    const path = `${listPath}.member.${i + 1}`;
    if (typeof item !== 'object' || item === null) throw invalidParameterValue(`The parameter ${path} must be a structure.`);
    const input = item as Json;
    const id = requiredString(input, 'Id', `${path}.Id`);
    if (!ID.test(id) || id.length > 255) throw validationError(`The value ${id} for parameter ${path}.Id is invalid: it must start with a lowercase letter and contain only letters, digits and underscores.`);
    const metricStatInput = optionalObject(input, 'MetricStat', `${path}.MetricStat`);
    const expression = optionalString(input, 'Expression', `${path}.Expression`);
    if ((metricStatInput === undefined) === (expression === undefined)) {
      throw invalidParameterCombination(`Exactly one of ${path}.MetricStat and ${path}.Expression must be given.`);
    }
    const period = optionalNumber(input, 'Period', `${path}.Period`);
    const query: MetricQuery = {
      id,
      label: optionalString(input, 'Label', `${path}.Label`),
      returnData: optionalBoolean(input, 'ReturnData', `${path}.ReturnData`) ?? true,
      period: period === undefined ? undefined : checkPeriod(period, `${path}.Period`),
      expression,
    };
    if (!metricStatInput) return query;
    const statPath = `${path}.MetricStat`;
    const metric = optionalObject(metricStatInput, 'Metric', `${statPath}.Metric`);
    if (!metric) throw missingParameter(`The parameter ${statPath}.Metric is required.`);
    const statPeriod = optionalNumber(metricStatInput, 'Period', `${statPath}.Period`);
    if (statPeriod === undefined) throw missingParameter(`The parameter ${statPath}.Period is required.`);
    return {
      ...query,
      metricStat: {
        metric: {
          namespace: requiredString(metric, 'Namespace', `${statPath}.Metric.Namespace`),
          metricName: requiredString(metric, 'MetricName', `${statPath}.Metric.MetricName`),
          dimensions: dimensionsOf(metric, `${statPath}.Metric.`),
        },
        period: checkPeriod(statPeriod, `${statPath}.Period`),
        stat: checkStatistic(requiredString(metricStatInput, 'Stat', `${statPath}.Stat`), `${statPath}.Stat`),
        unit: optionalString(metricStatInput, 'Unit', `${statPath}.Unit`),
      },
    };
  });
}
