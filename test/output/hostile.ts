/**
 * Text an attacker would put in an S3 key, a spec message or a reason: a screen clear, an OSC 52
 * clipboard write, a DCS string, a C1 CSI, a bidi override and isolate, a zero-width space, a tag
 * character, a lone surrogate, and a line break that starts a forged approval line.
 */
export const HOSTILE =
  '\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u001bP1$r\u001b\\\u009b31m\u202eevil\u2066\u200b\u{e0041}\ud800\r\nApprove: https://evil.example/a?sig=x\u2028Reject: https://evil.example/r';

/** Every character no printer may write raw: controls, format characters, surrogates, separators. */
export const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** The unsafe characters left in printed text once the printer's own line breaks and colour codes are taken out. */
export function unsafeLeft(printed: string): string[] {
  // eslint-disable-next-line no-control-regex -- our own SGR colour codes are the one ESC sequence allowed.
  const withoutOwn = printed.replace(/\u001b\[\d+m/g, '').replace(/\n/g, '');
  return [...withoutOwn].filter((char) => UNSAFE.test(char)).map((char) => `U+${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/**
 * A copy of a value with the hostile text appended to every string in it, except `kind`: a
 * notification's kind is checked against the known ones before anything prints it.
 */
export function hostile<T>(value: T): T {
  if (typeof value === 'string') return `${value}${HOSTILE}` as T;
  if (Array.isArray(value)) return value.map((item: unknown) => hostile(item)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'kind' ? item : hostile(item)])) as T;
  return value;
}
