import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook request's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'X-Fledge-Signature';
/**
 * The header that names a delivery: the same for every try of one webhook at one point of one
 * step (a retried task included), so a receiver can recognise a request it already answered.
 */
export const DELIVERY_HEADER = 'X-Fledge-Delivery';
/** The header that names the point (`beforeStep`, …), also in the body. */
export const POINT_HEADER = 'X-Fledge-Point';

/** How old a signature a receiver should accept, by default: 5 minutes, as Stripe's. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The `X-Fledge-Signature` value of `body` sent at `timestampSeconds`: HMAC-SHA256, keyed with the
 * webhook signing secret's text (UTF-8), over `<timestamp>.<body>` — the Stripe scheme, so the
 * timestamp cannot be changed to replay an old request later without breaking the signature.
 */
export function signWebhook(secret: string | Uint8Array, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${mac(secret, timestampSeconds, body)}`;
}

/**
 * Whether `header` is a valid signature of `body` made no more than `toleranceSeconds` from
 * `nowSeconds`: what a receiver does (docs/spec.md#verifying-a-webhook-request). Constant-time.
 */
export function verifyWebhookSignature(secret: string | Uint8Array, header: string | undefined, body: string, nowSeconds: number, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), 'latin1');
  const given = Buffer.from(match[2]!, 'latin1');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function mac(secret: string | Uint8Array, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}
