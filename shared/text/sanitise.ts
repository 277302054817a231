/**
 * Untrusted text on its way to a person: one function, used by every printer (the CLI, local
 * mode's mail printer, the notification e-mail, Slack, the approval page, log lines).
 *
 * S3 keys, spec messages, reasons, names typed on a page, alarm reasons, error messages from
 * hooks: any of them may carry characters that act instead of showing — escape sequences that
 * clear a terminal, rewrite its title or write the clipboard (OSC 52), bidi overrides that make
 * text read differently from what it is ("Trojan Source"), zero-width characters that disguise
 * it, or line breaks that forge a line such as `Approve: <url>` in an e-mail.
 *
 * Such characters are **escaped visibly**, never deleted silently, so an operator sees that
 * something odd was there: `\n`, `\r`, `\t`, and `\uXXXX` (one per UTF-16 unit) for the rest —
 * the JSON/JavaScript spelling, so a JSON document stays valid JSON that parses back to the same
 * value. A backslash is left alone: the escapes are a warning for people, not an encoding (the
 * exact value is in `--output json` and the API).
 */

// Controls (C0, DEL, C1), format characters (bidi embeddings, overrides, isolates and marks,
// zero-width space/joiners, soft hyphen, BOM, tags…), lone surrogates, and the Unicode line and
// paragraph separators, which some renderers break lines at.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;
const UNSAFE_BUT_NEWLINE = /(?!\n)[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(match: string): string {
  const short = SHORT[match];
  if (short !== undefined) return short;
  let escaped = '';
  for (let i = 0; i < match.length; i += 1) escaped += `\\u${match.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return escaped;
}

/** Options of {@link sanitise}. */
export interface SanitiseOptions {
  /**
   * Keep `\n` as a line break. Only for text whose lines the printer itself means to print on
   * several lines (an error message, a JSON document); a value shown inside a line or a message
   * — a key, a reason, a spec's message — stays on one line.
   */
  readonly keepNewlines?: boolean;
}

/**
 * The text with every control character, format character (bidi, zero-width, …), lone surrogate
 * and line/paragraph separator escaped visibly (`\n`, `\u001b`, `\u202e`). By default the result
 * is one line. Safe text comes back unchanged, so sanitising twice changes nothing.
 */
export function sanitise(text: string, options: SanitiseOptions = {}): string {
  return text.replace(options.keepNewlines ? UNSAFE_BUT_NEWLINE : UNSAFE, escape);
}

/**
 * A copy of a JSON-like value (what an API answered, a notification's facts) with every string,
 * object keys included, passed through {@link sanitise} as one line. Printers call it once on
 * their input, so a field added later cannot be printed raw by mistake.
 */
export function sanitiseDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitise(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => sanitiseDeep(item)) as T;
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [sanitise(key), sanitiseDeep(item)])) as T;
  }
  return value;
}

/**
 * `JSON.stringify(value, null, 2)` safe for a terminal: `JSON.stringify` escapes C0 controls but
 * writes C1 controls, bidi and zero-width characters raw; here they become `\uXXXX` escapes too,
 * so the document still parses back to exactly `value`.
 */
export function safeJson(value: unknown): string {
  return sanitise(JSON.stringify(value, null, 2) ?? 'null', { keepNewlines: true });
}
