/**
 * How deeply a JSON text nests arrays and objects, found by a single linear scan that never
 * recurses and stops as soon as `limit` is exceeded. Run it before `JSON.parse` on untrusted
 * text: the parse itself copes with deep nesting, but whatever walks the result afterwards
 * (`JSON.stringify`, a schema, a YAML emitter) recurses once per level and ends in a
 * `RangeError: Maximum call stack size exceeded`.
 *
 * The scan reads brackets outside strings only (escapes inside strings are honoured), so it is
 * exact for valid JSON and a cheap upper bound for anything else; malformed text is left for
 * `JSON.parse` to report.
 *
 * @returns `undefined` when the text nests at most `limit` levels, or the character offset of
 *   the first bracket that goes deeper.
 */
export function firstTooDeep(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      depth += 1;
      if (depth > limit) return i;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
