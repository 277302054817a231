import * as z from 'zod';
import { formatDuration, parseDuration } from './duration';
import type { NameResult } from './names';
import { quote } from './problems';

/*
 * Field checkers shared by the sections of the spec's schema (schema.ts, webhooks.ts), so that
 * every duration and every named value is read and refused the same way wherever it is written.
 */

/** A custom issue with `message`. */
export const custom = (message: string) => ({ code: 'custom' as const, message });

/** A written value in a message: strings quoted and shortened, collections named, never dumped whole. */
export function shortly(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'a mapping';
  return String(value);
}

/** A duration field: `30s`, `5m`, `1h30m` or seconds, within [min, max]. */
export function duration(min: number, max: number) {
  return z.unknown().transform((value, ctx) => {
    // A required duration left out (optional ones never get here).
    if (value === undefined) {
      ctx.issues.push({ ...custom('is required'), input: value });
      return z.NEVER;
    }
    const read = parseDuration(value);
    if (!read.ok) {
      ctx.issues.push({ ...custom(read.message), input: value });
      return z.NEVER;
    }
    if (read.seconds < min || read.seconds > max) {
      ctx.issues.push({ ...custom(`must be between ${formatDuration(min)} and ${formatDuration(max)}, got ${formatDuration(read.seconds)}`), input: value });
      return z.NEVER;
    }
    return read.seconds;
  }).meta(durationJsonSchema(min, max));
}

/** How a duration field looks in the spec's JSON Schema (scripts/schema/): the written forms, the range in words. */
function durationJsonSchema(min: number, max: number) {
  return {
    description: `A duration: "30s", "5m", "1h30m", "2d" or whole seconds, from ${formatDuration(min)} to ${formatDuration(max)}.`,
    anyOf: [
      { type: 'string', pattern: '^\\s*(?=\\S)(?:\\d+d)?(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?\\s*$' },
      { type: 'integer', minimum: min, maximum: max },
    ],
  };
}

/** A string field checked by one of the naming rules in names.ts. */
export function named<T>(check: (text: string) => NameResult<T>) {
  return z.string().superRefine((text, ctx) => {
    const result = check(text);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
  });
}
