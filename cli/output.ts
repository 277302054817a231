import { search } from 'jmespath';
import { stringify } from 'yaml';
import { safeJson, sanitise } from '../shared/text/sanitise';
import { globals } from './globals';
import { UsageError } from './program';

/**
 * Applies `--query` (JMESPath, as the AWS CLI) to a result. An expression that does not parse is
 * a usage error naming it; one that selects nothing gives `null`.
 */
export function applyQuery(value: unknown, query: string | undefined = globals().query): unknown {
  if (query === undefined) return value;
  try {
    // Through JSON first: JMESPath works on plain data, never on class instances or undefined.
    return search(JSON.parse(JSON.stringify(value ?? null)) as unknown, query) as unknown;
  } catch (error) {
    throw new UsageError(`--query "${query}" is not a valid JMESPath expression: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * YAML for `--output yaml`. Strings are double-quoted, so the `\uXXXX` escapes that keep control,
 * bidi and zero-width characters visible are YAML escapes too, and the text parses back to the
 * exact value (as `--output json` does).
 */
export function safeYaml(value: unknown): string {
  const text = value === undefined || value === null ? 'null\n' : stringify(value, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
  return sanitise(text, { keepNewlines: true });
}

/** A queried value for people: text as is, a list of plain values one per line, anything else as YAML. */
function plain(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return `${sanitise(String(value))}\n`;
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')) return value.map((item) => `${sanitise(String(item ?? ''))}\n`).join('');
  return safeYaml(value);
}

/**
 * Prints a command's result in the format asked for with `--output`: `table()` for people (or,
 * with `--query`, the selected value as plain text), JSON or YAML of `value` — after `--query`.
 */
export function printResult(value: unknown, table: () => string): void {
  const { output, query } = globals();
  if (output === 'table' && query === undefined) {
    process.stdout.write(table());
    return;
  }
  const selected = applyQuery(value, query);
  if (output === 'json') process.stdout.write(`${safeJson(selected ?? null)}\n`);
  else if (output === 'yaml') process.stdout.write(safeYaml(selected));
  else process.stdout.write(plain(selected));
}

/** Whether the result is for machines (json, yaml or a --query): notes for people then go nowhere near stdout. */
export function machineOutput(): boolean {
  const { output, query } = globals();
  return output !== 'table' || query !== undefined;
}
