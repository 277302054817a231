import { createHmac, timingSafeEqual } from 'node:crypto';

/** The shortest signing secret accepted: 256 bits, the size of the HMAC-SHA256 output. */
export const MIN_SECRET_BYTES = 32;

/** What a link carries besides the approval id: the signature and the expiry (epoch seconds). */
export interface LinkSignature {
  readonly sig: string;
  /** Epoch seconds after which the link is refused, whatever the signature says. */
  readonly exp: number;
}

/** Why a link was refused; `ok` when it may be acted upon. */
export type LinkVerdict = 'ok' | 'malformed' | 'forged' | 'expired';

/**
 * The one spelling of a signature: 43 base64url characters, no `=` padding. The last character
 * carries 2 padding bits, which must be zero — the comparison of spellings below enforces that.
 */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
/** The one spelling of an expiry: decimal epoch seconds, no sign, no leading zero, at most 12 digits. */
const EXPIRY = /^(?:0|[1-9][0-9]{0,11})$/;

/**
 * Signs and verifies approval links with HMAC-SHA256. The signature covers a version tag, the
 * approval id and the expiry, so neither can be changed without the secret. A link has exactly
 * one accepted spelling: the signature is compared as the canonical base64url text (so padding
 * bits, `=` padding or another alphabet never verify) and the expiry must be canonical decimal
 * (so `0123` or `+123` never name the same expiry as `123`). Comparison is constant-time so a
 * forger learns nothing from response times.
 */
export class ApprovalLinkSigner {
  private readonly secret: Buffer;

  constructor(secret: Uint8Array) {
    if (secret.byteLength < MIN_SECRET_BYTES) {
      throw new RangeError(`the approval-signing secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.byteLength}`);
    }
    this.secret = Buffer.from(secret);
  }

  /** The signature of a link to `approvalId` that stops working at `expiresAtMs`. */
  sign(approvalId: string, expiresAtMs: number): LinkSignature {
    const exp = Math.ceil(expiresAtMs / 1000);
    return { sig: this.mac(approvalId, exp).toString('base64url'), exp };
  }

  /**
   * Checks a link's signature first (an unsigned expiry proves nothing), then its expiry against
   * `nowMs`. Inputs are untrusted text straight from the query string, not percent-decoded: a
   * spelling other than the one {@link sign} produced is `malformed` or `forged`, never `ok`.
   */
  verify(approvalId: string, sig: string | undefined, exp: string | undefined, nowMs: number): LinkVerdict {
    if (sig === undefined || exp === undefined || !SIGNATURE.test(sig) || !EXPIRY.test(exp)) return 'malformed';
    const seconds = Number(exp);
    // Both sides are 43 ASCII bytes: comparing the texts, not decoded bytes, makes the
    // canonical spelling the only one that matches.
    const expected = Buffer.from(this.mac(approvalId, seconds).toString('base64url'), 'latin1');
    const given = Buffer.from(sig, 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
    return nowMs > seconds * 1000 ? 'expired' : 'ok';
  }

  private mac(approvalId: string, exp: number): Buffer {
    return createHmac('sha256', this.secret).update(`fledge-approval-v1\n${approvalId}\n${exp}`).digest();
  }
}

/** Builds the two links of an approval message: both open the same confirmation page. */
export function approvalLinks(baseUrl: string, signer: ApprovalLinkSigner, approvalId: string, expiresAtMs: number): { approve: string; reject: string; page: string } {
  const { sig, exp } = signer.sign(approvalId, expiresAtMs);
  const page = `${baseUrl.replace(/\/+$/, '')}/approvals/${encodeURIComponent(approvalId)}?sig=${sig}&exp=${exp}`;
  // `intent` only preselects a button on the page; it is not signed because it grants nothing.
  return { page, approve: `${page}&intent=approve`, reject: `${page}&intent=reject` };
}
