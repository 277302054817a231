import { invalidParameterValue, missingParameter } from './errors';

/**
 * Readers for awsJson request members that fail with CloudWatch's error names and the
 * member's path (`MetricDataQueries.member.2.MetricStat.Period`), so a bad request says where.
 */
export type Json = Record<string, unknown>;

export function optionalString(input: Json, field: string, path = field): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameterValue(`The parameter ${path} must be a string.`);
  return value;
}

export function requiredString(input: Json, field: string, path = field): string {
  const value = optionalString(input, field, path);
  if (value === undefined || value === '') throw missingParameter(`The parameter ${path} is required.`);
  return value;
}

export function optionalNumber(input: Json, field: string, path = field): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameterValue(`The parameter ${path} must be a number.`);
  return value;
}

export function requiredNumber(input: Json, field: string, path = field): number {
  const value = optionalNumber(input, field, path);
  if (value === undefined) throw missingParameter(`The parameter ${path} is required.`);
  return value;
}

export function optionalBoolean(input: Json, field: string, path = field): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameterValue(`The parameter ${path} must be a boolean.`);
  return value;
}

export function optionalObject(input: Json, field: string, path = field): Json | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameterValue(`The parameter ${path} must be a structure.`);
  return value as Json;
}

export function optionalList(input: Json, field: string, path = field): unknown[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameterValue(`The parameter ${path} must be a list.`);
  return value;
}

export function stringList(input: Json, field: string, path = field): string[] {
  return (optionalList(input, field, path) ?? []).map((item, i) => {
    if (typeof item !== 'string') throw invalidParameterValue(`The parameter ${path}.member.${i + 1} must be a string.`);
    return item;
  });
}

/** Epoch-seconds timestamp (what the awsJson codec sends) to epoch milliseconds. */
export function optionalTimestamp(input: Json, field: string, path = field): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw invalidParameterValue(`The parameter ${path} must be a timestamp.`);
}

/** A `Dimensions` list as an exact name → value set; duplicate names are refused as CloudWatch does. */
export function dimensionsOf(input: Json, path: string): Record<string, string> {
  const dimensions: Record<string, string> = {};
  const list = optionalList(input, 'Dimensions', `${path}Dimensions`) ?? [];
  if (list.length > 30) throw invalidParameterValue(`The collection ${path}Dimensions must not have more than 30 members.`);
  list.forEach((item, i) => {
    const where = `${path}Dimensions.member.${i + 1}`;
    if (typeof item !== 'object' || item === null) throw invalidParameterValue(`The parameter ${where} must be a structure.`);
    const name = requiredString(item as Json, 'Name', `${where}.Name`);
    const value = requiredString(item as Json, 'Value', `${where}.Value`);
    if (name in dimensions) throw invalidParameterValue(`The dimension ${name} is given more than once in ${path}Dimensions.`);
    dimensions[name] = value;
  });
  return dimensions;
}

/** The `Dimensions` wire shape of a dimension set, sorted by name for stable output. */
export function dimensionList(dimensions: Readonly<Record<string, string>>): { Name: string; Value: string }[] {
  return Object.keys(dimensions).sort().map((Name) => ({ Name, Value: dimensions[Name] ?? '' }));
}
