import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOwnLink } from '../../shared/domain/approval/own-links';
import { safeJson, sanitise, sanitiseDeep } from '../../shared/text/sanitise';
import { HOSTILE, UNSAFE } from './hostile';

/** Pieces that act instead of showing, and a literal backslash escape that must not confuse anything. */
const PIECES = ['\u001b[2J', '\u001b]52;c;ZXZpbA==\u0007', '\u001bP1$r\u001b\\', '\u009b31m', '\u202e', '\u2066', '\u200b', '\u00ad', '\u{e0041}', '\ud800', '\udfff', '\n', '\r', '\t', '\u2028', '\u007f', '\\u001b', 'Approve: https://evil.example/'];

/** Any text, weighted towards the characters that act instead of showing. */
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme' })), { maxLength: 12 }).map((parts) => parts.join('')),
);

describe('the output sanitiser', () => {
  it.each([
    ['an ESC sequence that clears the screen', '\u001b[2Jhi', '\\u001b[2Jhi'],
    ['an OSC 52 clipboard write', '\u001b]52;c;ZXZpbA==\u0007', '\\u001b]52;c;ZXZpbA==\\u0007'],
    ['a C1 CSI', 'a\u009b31mb', 'a\\u009b31mb'],
    ['a bidi override (Trojan Source)', 'user\u202egnp.exe', 'user\\u202egnp.exe'],
    ['a bidi isolate', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['a zero-width space', 'ad\u200bmin', 'ad\\u200bmin'],
    ['a tag character (astral)', 'a\u{e0041}', 'a\\udb40\\udc41'],
    ['a lone surrogate', 'a\ud800', 'a\\ud800'],
    ['line breaks', 'ok\nApprove: https://evil\r\n', 'ok\\nApprove: https://evil\\r\\n'],
    ['a Unicode line separator', 'a\u2028b', 'a\\u2028b'],
    ['DEL and NUL', '\u007f\u0000', '\\u007f\\u0000'],
  ])('escapes %s visibly, on one line', (_what, input, expected) => {
    // Act / Assess
    expect(sanitise(input)).toBe(expected);
  });

  it('leaves text people write unchanged: accents, CJK, emoji, backslashes, tabs of spaces', () => {
    // Prepare
    const written = 'Zoë — 日本語 👍🏽 C:\\temp\\x  "quoted" <b>&';

    // Act / Assess
    expect(sanitise(written)).toBe(written);
  });

  it('keeps line breaks only when asked, and still escapes a carriage return', () => {
    // Act / Assess
    expect(sanitise('one\ntwo\r\u001b[2K', { keepNewlines: true })).toBe('one\ntwo\\r\\u001b[2K');
  });

  it('never lets a control, format, bidi or separator character through, and changes nothing the second time', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (input, keepNewlines) => {
        // Act
        const once = sanitise(input, { keepNewlines });

        // Assess
        expect(UNSAFE.test(once.replace(keepNewlines ? /\n/g : /(?!)/g, ''))).toBe(false);
        if (!keepNewlines) expect(once).not.toContain('\n');
        expect(sanitise(once, { keepNewlines })).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('writes JSON that parses back to exactly the value, with no raw control or format character', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(text, text), (value, strings) => {
        // Prepare
        const document = { value, strings };

        // Act
        const json = safeJson(document);

        // Assess
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(document)));
        expect(UNSAFE.test(json.replace(/\n/g, ''))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('sanitises every string of a value, keys included, and leaves numbers and booleans alone', () => {
    // Prepare
    const value = { reason: `x${HOSTILE}`, events: [{ message: HOSTILE, at: 3 }], byVersion: { [`1${HOSTILE}`]: { ok: true } } };

    // Act
    const clean = sanitiseDeep(value);

    // Assess
    expect(UNSAFE.test(JSON.stringify(clean))).toBe(false);
    expect(clean.events[0]!.at).toBe(3);
    expect(Object.values(clean.byVersion)).toEqual([{ ok: true }]);
    expect(clean.reason).toBe(`x${sanitise(HOSTILE)}`);
  });
});

describe('fledge links', () => {
  const api = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

  it.each([
    [`${api}/approvals/d-1.a2?sig=x&exp=1&intent=approve`, api],
    ['https://example.com/fledge/approvals/a?sig=x', 'https://example.com/fledge/'],
    ['http://127.0.0.1:4567/approvals/a?sig=x', 'http://127.0.0.1:4567'],
  ])('accepts %s under %s', (link, base) => {
    // Act / Assess
    expect(isOwnLink(link, base)).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example/approvals/a'],
    ['a lookalike host', 'https://abc123.execute-api.eu-west-1.amazonaws.com.evil.example/approvals/a'],
    ['another port', 'https://abc123.execute-api.eu-west-1.amazonaws.com:8443/approvals/a'],
    ['plain http', 'http://abc123.execute-api.eu-west-1.amazonaws.com/approvals/a'],
    ['credentials in the URL', 'https://user:pw@abc123.execute-api.eu-west-1.amazonaws.com/approvals/a'],
    ['a script', 'javascript:alert(1)//https://abc123.execute-api.eu-west-1.amazonaws.com/'],
    ['not a URL', 'Approve me'],
  ])('refuses %s', (_what, link) => {
    // Act / Assess
    expect(isOwnLink(link, api)).toBe(false);
  });

  it.each([
    ['a line break the URL parser drops', `${api}/approvals/a\n?sig=x`],
    ['a leading space', ` ${api}/approvals/a?sig=x`],
    ['a tab and markup', `${api}/approvals/a\t>|<https://evil.example|Approve>`],
    ['a backslash read as a slash', `${api}/\\evil.example/approvals/a`],
    ['the host in capitals', `${api.toUpperCase().replace('HTTPS', 'https')}/approvals/a`],
  ])('refuses a link under the API spelt otherwise than the URL parser reads it: %s', (_what, link) => {
    // Act / Assess
    expect(isOwnLink(link, api)).toBe(false);
  });

  it('refuses a link that walks out of the API path, and any link under a plain-http API that is not loopback', () => {
    // Act / Assess
    expect(isOwnLink('https://example.com/fledge/../other/approvals/a', 'https://example.com/fledge')).toBe(false);
    expect(isOwnLink('https://example.com/fledge/%2e%2e/other', 'https://example.com/fledge')).toBe(false);
    expect(isOwnLink('https://example.com/fledgeX/approvals/a', 'https://example.com/fledge')).toBe(false);
    expect(isOwnLink('http://fledge.example/approvals/a', 'http://fledge.example')).toBe(false);
  });
});
