import type { Seconds } from '../../model/spec';
import { quote } from './problems';

/** Outcome of reading a duration the user wrote. */
export type DurationResult = { readonly ok: true; readonly seconds: Seconds } | { readonly ok: false; readonly message: string };

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
// Units in descending order, each at most once: `1h30m`, `90s`, `2d`. Anything else is a typo worth reporting.
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const EXPECTED = 'expected a duration such as "30s", "5m", "1h30m" or a whole number of seconds';

/**
 * Reads a duration written as `30s`, `5m`, `1h30m`, `2d` or a whole number of seconds.
 *
 * @returns the duration in whole seconds, or a message saying what was expected.
 */
export function parseDuration(value: unknown): DurationResult {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return { ok: false, message: `${EXPECTED}, got ${value}` };
    return { ok: true, seconds: value };
  }
  if (typeof value !== 'string') return { ok: false, message: `${EXPECTED}, got ${describe(value)}` };
  const text = value.trim();
  const match = DURATION.exec(text);
  if (text === '' || match === null) return { ok: false, message: `${EXPECTED}, got ${quote(value)}` };
  const [, d, h, m, s] = match;
  const seconds =
    Number(d ?? 0) * UNIT_SECONDS.d + Number(h ?? 0) * UNIT_SECONDS.h + Number(m ?? 0) * UNIT_SECONDS.m + Number(s ?? 0);
  if (!Number.isSafeInteger(seconds)) return { ok: false, message: `duration ${quote(value)} is too long` };
  return { ok: true, seconds };
}

/** Writes seconds the way users write them: `1h30m`, `45s`, `0s`. */
export function formatDuration(seconds: Seconds): string {
  if (seconds === 0) return '0s';
  let rest = Math.round(seconds);
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : typeof value;
}
