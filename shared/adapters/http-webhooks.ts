import { ConfigurationError } from '../model/engine-errors';
import { DELIVERY_HEADER, POINT_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signing';
import type { WebhookAttempt, WebhookDelivery, WebhookSender } from '../ports/webhooks';

/** The most of an answer's body read: enough for a reason, never a whole large body. */
export const MAX_ANSWER_BYTES = 4096;

/** The shortest signing secret accepted, in bytes of its text: as long as the HMAC-SHA256 output. */
export const MIN_WEBHOOK_SECRET_BYTES = 32;

/** The user agent of webhook requests. */
export const WEBHOOK_USER_AGENT = 'fledge-webhook/1';

/**
 * Webhook requests with Node's fetch: POST, JSON, signed with the installation's webhook signing
 * secret (`X-Fledge-Signature`, see ./webhook-signing.ts), redirects never followed (a 3xx
 * is an answer like any other non-2xx), at most {@link MAX_ANSWER_BYTES} of the body read, and
 * the whole try — connection, answer and body — within its timeout.
 *
 * The secret is asked for per request (its source keeps the one cache, e.g. SsmSecret), so a
 * deployment without webhooks never reads it.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly secret: () => Promise<string>,
    /** Wall-clock seconds for the signature's timestamp: receivers compare it with their own clock. */
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async deliver(delivery: WebhookDelivery): Promise<WebhookAttempt> {
    // Nothing is sent without a proper signature: a secret that cannot be read, or a weak one, fails the task instead.
    const secret = await this.secret();
    if (Buffer.byteLength(secret) < MIN_WEBHOOK_SECRET_BYTES) {
      throw new ConfigurationError(`fledge is misconfigured: the webhook signing secret is ${Buffer.byteLength(secret)} bytes long; it must be at least ${MIN_WEBHOOK_SECRET_BYTES}`);
    }
    const signature = signWebhook(secret, this.nowSeconds(), delivery.body);
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const signal = AbortSignal.timeout(delivery.timeoutMs);
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': WEBHOOK_USER_AGENT,
          [SIGNATURE_HEADER]: signature,
          [DELIVERY_HEADER]: delivery.deliveryId,
          [POINT_HEADER]: delivery.point,
        },
        body: delivery.body,
        redirect: 'manual',
        signal,
      });
      const excerpt = await readSome(response, MAX_ANSWER_BYTES);
      const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
      return { kind: 'answered', status: response.status, statusText: response.statusText, excerpt, latencyMs: latency(), ...(location ? { location } : {}) };
    } catch (error) {
      if (signal.aborted) return { kind: 'failed', failure: 'timeout', message: `no answer within ${formatMs(delivery.timeoutMs)}`, latencyMs: latency() };
      return { kind: 'failed', failure: 'network', message: networkFailure(error), latencyMs: latency() };
    }
  }
}

/** The start of the body, at most `max` bytes decoded as UTF-8; the rest is never read. */
async function readSome(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    // Stop the transfer: a receiver that answers with a gigabyte is not read to the end.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** Why no answer came, in words: the system's error code (`ECONNREFUSED`, `ENOTFOUND`), never a stack. */
function networkFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${code})`;
    case 'ECONNRESET':
      return 'connection reset (ECONNRESET)';
    case undefined:
      return 'could not connect';
    default:
      return `could not connect (${code})`;
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms} ms`;
}
