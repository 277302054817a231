import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { MIN_SECRET_BYTES } from '../../../domain/approval/signing';
import { InvalidCursorError } from '../errors';
import { LIMITS, MAX_CURSOR_CHARS } from './inputs';

/** The filters a list cursor is bound to: following it under any other filters is refused. */
export interface CursorFilters {
  readonly functionName?: string;
  readonly alias?: string;
  readonly status?: string;
  /** Epoch ms. */
  readonly since?: number;
}

/** Separates this key from every other use of the secret it is derived from. */
const KEY_LABEL = 'fledge-list-cursor-key-v1';
const MAC_LABEL = 'fledge-list-cursor-v1';
const MAC_CHARS = 43;
const CURSOR = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/**
 * Seals the store's page cursor (an encoded DynamoDB key) for the API's callers and opens it
 * again, refusing any cursor this API did not issue for the same filters. The seal is an
 * HMAC-SHA256 with a key derived (HKDF, its own label) from fledge's approval-signing secret,
 * so a caller can neither forge a cursor, nor alter one to start a query at a key of their
 * choosing, nor replay one under other filters; a hash alone would prove none of that.
 */
export class CursorSigner {
  private readonly key: Buffer;

  constructor(secret: Uint8Array) {
    if (secret.byteLength < MIN_SECRET_BYTES) throw new RangeError(`the cursor-signing secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.byteLength}`);
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_LABEL, 32));
  }

  /** The cursor a caller receives for the page after `storeCursor` under `filters`. */
  seal(storeCursor: string, filters: CursorFilters): string {
    return `${storeCursor}.${this.mac(storeCursor, filters).toString('base64url')}`;
  }

  /**
   * The store's cursor inside `cursor`, when this API issued it for `filters`; otherwise an
   * {@link InvalidCursorError}. Comparison is constant-time.
   */
  open(cursor: string, filters: CursorFilters): string {
    if (cursor.length > MAX_CURSOR_CHARS) throw new InvalidCursorError(`the cursor has ${cursor.length} characters; a cursor is ${LIMITS.cursor}`);
    const match = CURSOR.exec(cursor);
    if (!match) throw new InvalidCursorError(`the cursor is malformed; a cursor is ${LIMITS.cursor}`);
    const [, payload, sig] = match as unknown as [string, string, string];
    // Compared as text, not as decoded bytes: the last base64 character has spare bits, and a
    // cursor altered only there would otherwise still pass.
    const given = Buffer.from(sig, 'latin1');
    const expected = Buffer.from(this.mac(payload, filters).toString('base64url'), 'latin1');
    if (given.length !== MAC_CHARS || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidCursorError('the cursor was not issued by this API for this query (altered, forged, or from a list with other filters); list again without a cursor');
    }
    return payload;
  }

  private mac(payload: string, filters: CursorFilters): Buffer {
    const bound = JSON.stringify([filters.functionName ?? null, filters.alias ?? null, filters.status ?? null, filters.since ?? null]);
    return createHmac('sha256', this.key).update(`${MAC_LABEL}\n${bound}\n${payload}`).digest();
  }
}
