import { invalidEventPattern } from './errors';

/**
 * EventBridge event patterns: a pattern is a JSON object whose leaves are arrays of what a field
 * may be — literal values (strings, numbers, booleans, null) or content filters: `prefix`,
 * `suffix`, `equals-ignore-case`, `anything-but` (a value, a list, or `{prefix}`), `exists`,
 * `numeric` (`[">", 0, "<=", 5]`). A nested object matches the event's nested object. An event
 * field that is an array matches when any of its elements does. The embedded EventBridge refuses
 * the filters it does not implement (`wildcard`, `cidr`, `$or`) rather than match them wrongly.
 */
export type EventPattern = { readonly [field: string]: EventPattern | readonly unknown[] };

const FILTERS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'exists', 'numeric']);
const NUMERIC = new Set(['<', '<=', '=', '>', '>=']);

/** Parses and checks a pattern as PutRule does; throws `InvalidEventPatternException` naming the field. */
export function parseEventPattern(text: string): EventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidEventPattern(`the pattern is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw invalidEventPattern('Filter is not an object');
  checkLevel(parsed, '');
  return parsed as EventPattern;
}

function checkLevel(level: Record<string, unknown>, path: string): void {
  for (const [key, value] of Object.entries(level)) {
    const where = path ? `${path}.${key}` : key;
    if (key.startsWith('$')) throw invalidEventPattern(`"${where}": the embedded EventBridge does not implement ${key}`);
    if (Array.isArray(value)) {
      if (value.length === 0) throw invalidEventPattern(`"${where}": Empty arrays are not allowed`);
      for (const item of value) if (isObject(item)) checkFilter(item, where);
      continue;
    }
    if (!isObject(value)) throw invalidEventPattern(`"${where}" must be an object or an array`);
    checkLevel(value, where);
  }
}

function checkFilter(filter: Record<string, unknown>, where: string): void {
  const keys = Object.keys(filter);
  const [name] = keys;
  if (keys.length !== 1 || name === undefined) throw invalidEventPattern(`"${where}": a content filter has exactly one key, got ${keys.length}`);
  if (!FILTERS.has(name)) throw invalidEventPattern(`"${where}": Unrecognized match type ${name}`);
  const value = filter[name];
  if ((name === 'prefix' || name === 'suffix' || name === 'equals-ignore-case') && typeof value !== 'string') throw invalidEventPattern(`"${where}": ${name} match pattern must be a string`);
  if (name === 'exists' && typeof value !== 'boolean') throw invalidEventPattern(`"${where}": exists match pattern must be either true or false`);
  if (name === 'numeric') {
    if (!Array.isArray(value) || value.length === 0 || value.length % 2 !== 0) throw invalidEventPattern(`"${where}": numeric match pattern must be pairs of an operator and a number`);
    for (let i = 0; i < value.length; i += 2) {
      if (!NUMERIC.has(value[i] as string) || typeof value[i + 1] !== 'number') throw invalidEventPattern(`"${where}": Unrecognized numeric range operator or value: ${String(value[i])}`);
    }
  }
  if (name === 'anything-but' && isObject(value) && typeof value.prefix !== 'string') throw invalidEventPattern(`"${where}": anything-but accepts a value, a list of values or {"prefix": …}`);
}

/** Whether `event` matches `pattern`. */
export function matches(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  for (const [key, allowed] of Object.entries(pattern)) {
    const value = event[key];
    if (Array.isArray(allowed)) {
      if (!leafMatches(allowed, value, key in event)) return false;
    } else if (!matches(allowed as EventPattern, value)) {
      return false;
    }
  }
  return true;
}

function leafMatches(allowed: readonly unknown[], value: unknown, present: boolean): boolean {
  // An array in the event matches when any element does.
  const values = Array.isArray(value) ? value : [value];
  return allowed.some((option) => {
    if (isObject(option) && 'exists' in option) return option.exists === (present && value !== undefined);
    if (!present || value === undefined) return false;
    return values.some((one) => (isObject(option) ? filterMatches(option, one) : option === one));
  });
}

function filterMatches(filter: Record<string, unknown>, value: unknown): boolean {
  const [name] = Object.keys(filter);
  const operand = filter[name as string];
  switch (name) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(operand as string);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === (operand as string).toLowerCase();
    case 'anything-but':
      if (isObject(operand)) return typeof value === 'string' && !value.startsWith(operand.prefix as string);
      return Array.isArray(operand) ? !operand.includes(value) : operand !== value;
    case 'numeric': {
      if (typeof value !== 'number') return false;
      const terms = operand as unknown[];
      for (let i = 0; i < terms.length; i += 2) {
        const bound = terms[i + 1] as number;
        const ok = { '<': value < bound, '<=': value <= bound, '=': value === bound, '>': value > bound, '>=': value >= bound }[terms[i] as string];
        if (!ok) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
