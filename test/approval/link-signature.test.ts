import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApprovalLinkSigner } from '../../shared/domain/approval/signing';

const SECRET = Buffer.alloc(32, 7);
const APPROVAL = 'api-01JD7X4Q9R8T5V2W3Y6Z0A1B2C.a2';
const NOW = Date.parse('2026-11-22T12:00:00Z');
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A valid link whose signature has a `-` or `_` in it, so a standard-alphabet spelling differs. */
function linkWithUrlSafeCharacters(signer: ApprovalLinkSigner): { sig: string; exp: string } {
  for (let hours = 1; ; hours += 1) {
    const { sig, exp } = signer.sign(APPROVAL, NOW + hours * 3_600_000);
    if (/[-_]/.test(sig)) return { sig, exp: String(exp) };
  }
}

/** The same signature bytes with non-zero padding bits: base64url decoders accept all four. */
function paddingBitVariants(sig: string): string[] {
  const last = BASE64URL.indexOf(sig.at(-1)!);
  return [1, 2, 3].map((bits) => `${sig.slice(0, -1)}${BASE64URL[last | bits]}`);
}

describe('the approval link signature', () => {
  const signer = new ApprovalLinkSigner(SECRET);

  it('accepts the link as signed, with its padding bits zero', () => {
    // Prepare
    const { sig, exp } = signer.sign(APPROVAL, NOW + 3_600_000);

    // Act
    const verdict = signer.verify(APPROVAL, sig, String(exp), NOW);

    // Assess
    expect(verdict).toBe('ok');
    expect(BASE64URL.indexOf(sig.at(-1)!) & 3).toBe(0);
  });

  it('refuses every other spelling of a valid signature and expiry', () => {
    // Prepare
    const { sig, exp } = linkWithUrlSafeCharacters(signer);
    const spellings: [string, string, string][] = [
      ...paddingBitVariants(sig).map((variant): [string, string, string] => ['padding bits', variant, exp]),
      ['= padding', `${sig}=`, exp],
      ['standard alphabet', sig.replace(/-/g, '+').replace(/_/g, '/'), exp],
      ['leading zero in exp', sig, `0${exp}`],
      ['plus sign in exp', sig, `+${exp}`],
      ['exponent in exp', sig, `${Number(exp) / 1000}e3`],
      ['decimal point in exp', sig, `${exp}.0`],
      ['space around exp', sig, ` ${exp}`],
      ['percent-encoded signature', encodeURIComponent(sig).replace(/^./, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`), exp],
    ];

    // Act
    const verdicts = spellings.map(([what, s, e]) => [what, signer.verify(APPROVAL, s, e, NOW)]);

    // Assess
    expect(signer.verify(APPROVAL, sig, exp, NOW)).toBe('ok');
    for (const [what, verdict] of verdicts) expect(verdict, what).not.toBe('ok');
  });

  it('refuses an expiry beyond twelve digits and an empty signature as malformed', () => {
    // Act + Assess
    expect(signer.verify(APPROVAL, 'A'.repeat(43), '1'.repeat(13), NOW)).toBe('malformed');
    expect(signer.verify(APPROVAL, '', '1', NOW)).toBe('malformed');
    expect(signer.verify(APPROVAL, undefined, undefined, NOW)).toBe('malformed');
  });

  it('never throws and never accepts random or mutated signatures, expiries and ids', () => {
    // Prepare
    const { sig, exp } = signer.sign(APPROVAL, NOW + 3_600_000);
    const canonical = { id: APPROVAL, sig, exp: String(exp) };
    // Characters that make other spellings (%, =, +, /), break parsers, or are not ASCII; plus any ASCII.
    const char = fc.oneof(fc.constantFrom('%', '=', '+', '/', '-', '_', ' ', '.', '&', '\u0000', 'é', '\u{1F600}', '\uFFFD'), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }));
    const mutate = (text: string) =>
      fc.oneof(
        fc.record({ at: fc.nat(text.length), char }).map(({ at, char }) => `${text.slice(0, at)}${char}${text.slice(at + 1)}`),
        fc.record({ at: fc.nat(text.length), char: fc.string({ unit: char, minLength: 1, maxLength: 2 }) }).map(({ at, char }) => `${text.slice(0, at)}${char}${text.slice(at)}`),
        fc.nat(Math.max(0, text.length - 1)).map((at) => `${text.slice(0, at)}${text.slice(at + 1)}`),
        fc.string({ unit: char, maxLength: 60 }),
      );
    const respelled = { sig: fc.constantFrom(...paddingBitVariants(sig), `${sig}=`), exp: fc.constantFrom(`0${exp}`, `00${exp}`, `+${exp}`) };
    const input = fc.record({
      id: fc.oneof(fc.constant(APPROVAL), mutate(APPROVAL)),
      sig: fc.oneof(fc.constant(sig), mutate(sig), respelled.sig),
      exp: fc.oneof(fc.constant(String(exp)), mutate(String(exp)), respelled.exp),
    });

    // Act + Assess
    fc.assert(
      fc.property(input, ({ id, sig: s, exp: e }) => {
        const verdict = signer.verify(id, s, e, NOW);
        const exact = id === canonical.id && s === canonical.sig && e === canonical.exp;
        return exact ? verdict === 'ok' : ['malformed', 'forged', 'expired'].includes(verdict);
      }),
      { numRuns: 1000 },
    );
  });
});
