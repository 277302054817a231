import type * as z from 'zod';
import type { DeploymentSpec } from '../../model/spec';
import { LIMITS } from '../../model/spec-limits';
import { normalise } from './normalise';
import type { PathSegment, SpecProblem } from '../../model/spec';
import { closestMatch, formatPath, quote } from './problems';
import { checkAdvisories, checkRules, type ValidationContext } from './rules';
import { specSchema } from './schema';
import { readSource, type SpecSource } from './source';

/** The outcome of reading a deployment spec: the normalised spec, or every problem found, located. */
export type SpecParseResult =
  | {
      readonly ok: true;
      readonly source: string;
      readonly spec: DeploymentSpec;
      /** What the spec should be told before it runs (see `checkAdvisories`), located; absent when none. */
      readonly warnings?: readonly SpecProblem[];
    }
  | { readonly ok: false; readonly source: string; readonly problems: readonly SpecProblem[] };

/** Options of {@link parseDeploymentSpec}. */
export type ParseOptions = ValidationContext;

/**
 * Parses, validates and normalises a deployment spec (YAML or JSON). Pure: no I/O, never throws for
 * bad input; the CLI, the S3 trigger and the API all call it.
 *
 * @param input - the file's bytes (checked to be UTF-8) or its text.
 * @param source - where the spec came from (a path, an S3 URI), echoed in the result for messages.
 * @param options - what is known about the target, e.g. `functionExists: false` for a first deployment.
 * @returns the spec (with any warnings), or all problems at once sorted by position, each with its path, line and column.
 */
export function parseDeploymentSpec(input: string | Uint8Array, source: string, options: ParseOptions = {}): SpecParseResult {
  let result: SpecParseResult;
  try {
    result = parseUnguarded(input, source, options);
  } catch (error) {
    // The limits above keep every walk shallow; should one still exhaust the stack, the reader
    // answers with a problem, not with the JavaScript error.
    if (!(error instanceof RangeError)) throw error;
    return { ok: false, source, problems: [{ path: '', line: 1, column: 1, message: 'the spec is too complex to read: see the limits in docs/spec.md' }] };
  }
  return result.ok ? result : { ...result, problems: bounded(result.problems) };
}

function parseUnguarded(input: string | Uint8Array, source: string, options: ParseOptions): SpecParseResult {
  const read = readSource(input);
  if (!read.ok) return { ok: false, source, problems: sortProblems(read.problems) };
  const document = read.source;

  const parsed = specSchema.safeParse(document.value, { error: defaultMessage, reportInput: true });
  if (!parsed.success) {
    const issues = parsed.error.issues;
    // "Choose one of…" says nothing new when the mapping only holds unknown keys, each already reported.
    const relevant = issues.filter((issue) => !(issue.code === 'custom' && issue.params?.['unlessUnknownKeys'] === true && hasUnknownKeysAt(issues, issue.path)));
    return { ok: false, source, problems: sortProblems(relevant.flatMap((issue) => toProblems(issue, document))) };
  }

  const spec = normalise(parsed.data);
  const violations = checkRules(parsed.data, spec, options);
  if (violations.length > 0) {
    return {
      ok: false,
      source,
      problems: sortProblems(violations.map(({ path, message }) => ({ path: formatPath(path), message, ...document.locate(path) }))),
    };
  }
  const advisories = checkAdvisories(parsed.data, spec, options);
  if (advisories.length === 0) return { ok: true, source, spec };
  return { ok: true, source, spec, warnings: sortProblems(advisories.map(({ path, message }) => ({ path: formatPath(path), message, ...document.locate(path) }))) };
}

function hasUnknownKeysAt(issues: readonly z.core.$ZodIssue[], path: readonly PropertyKey[]): boolean {
  return issues.some((other) => other.code === 'unrecognized_keys' && other.path.length === path.length && other.path.every((segment, i) => segment === path[i]));
}

function toProblems(issue: z.core.$ZodIssue, source: SpecSource): SpecProblem[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(path);
    return issue.keys.map((key, index) => {
      // Only listed problems get a suggestion (see bounded): thousands of unknown keys stay cheap.
      const suggestion = index < LIMITS.maxProblems ? closestMatch(key, known) : undefined;
      return {
        path: formatPath([...path, key]),
        message: `unknown key ${quote(key)}${known.length > 0 ? `; ${path.length === 0 ? 'top-level keys' : 'keys here'} are ${known.join(', ')}` : ''}`,
        ...source.locate([...path, key], 'key'),
        ...(suggestion !== undefined && { suggestion }),
      };
    });
  }
  const suggestion = issue.code === 'custom' ? (issue.params as { suggestion?: unknown } | undefined)?.suggestion : undefined;
  return [
    {
      path: formatPath(path),
      message: issue.message,
      ...source.locate(path, issue.code === 'invalid_type' && issue.input === undefined ? 'key' : 'value'),
      ...(typeof suggestion === 'string' && { suggestion }),
    },
  ];
}

/** Messages for issues the schema does not word itself. */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${article(issue.expected)}, got ${describe(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be at most ${issue.maximum}`;
    default:
      return undefined;
  }
}

function article(expected: string): string {
  const words: Record<string, string> = {
    object: 'a mapping (key: value)',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    null: 'nothing',
  };
  return words[expected] ?? expected;
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

type SchemaDef = { type: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown; element?: unknown; valueType?: unknown };

/** The keys the schema accepts at `path`, for suggestions on unknown keys. */
function knownKeys(path: readonly PathSegment[]): string[] {
  let schema: unknown = specSchema;
  const defOf = (s: unknown): SchemaDef | undefined => (s as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
  const unwrap = (s: unknown): unknown => {
    for (let def = defOf(s); def !== undefined; def = defOf(s)) {
      if (def.innerType !== undefined) s = def.innerType;
      else if (def.type === 'pipe') s = def.in;
      else break;
    }
    return s;
  };
  for (const segment of path) {
    const def = defOf(unwrap(schema));
    if (def?.type === 'object' && typeof segment === 'string') schema = def.shape?.[segment];
    else if (def?.type === 'array') schema = def.element;
    else if (def?.type === 'record') schema = def.valueType;
    else return [];
  }
  const def = defOf(unwrap(schema));
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** Longest message kept whole; longer ones (none of fledge's own) are cut. */
const MAX_MESSAGE_LENGTH = 1000;

/**
 * At most {@link LIMITS.maxProblems} problems, the last saying how many more there are: a spec of
 * 256 KiB of unknown keys would otherwise produce megabytes of problems, too many to answer,
 * store in a REJECTED record or send in a notification.
 */
function bounded(problems: readonly SpecProblem[]): SpecProblem[] {
  const kept = problems.slice(0, LIMITS.maxProblems).map((problem) =>
    problem.message.length > MAX_MESSAGE_LENGTH ? { ...problem, message: `${problem.message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` } : problem,
  );
  const left = problems.length - kept.length;
  if (left > 0) {
    const last = problems[kept.length]!;
    kept.push({ path: '', line: last.line, column: last.column, message: `and ${left} more problem${left === 1 ? '' : 's'} from here on (the first ${LIMITS.maxProblems} are listed)` });
  }
  return kept;
}

function sortProblems(problems: readonly SpecProblem[]): SpecProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column || a.path.localeCompare(b.path));
}
