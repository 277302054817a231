import * as z from 'zod';
import { formatDuration } from './duration';
import { duration, named, shortly } from './fields';
import { LIMITS } from '../../model/spec-limits';
import type { NameResult } from './names';
import { quote } from './problems';
import { WEBHOOK_POINTS, type WebhookPoint, type WebhookSpec, type WebhooksSpec } from '../../model/webhooks';

/*
 * The `webhooks` section of the spec (docs/spec.md#webhooks): HTTP(S) calls at named points of a
 * deployment whose answer gates it (2xx: go; anything else, a timeout or a network error after
 * the retries: roll back). Kept in a file of its own: schema.ts only mounts it.
 */

/** Hosts to which plain `http://` is allowed: the machine itself (local mode, tests). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a webhook URL: `https://`, or `http://` to the machine itself; no credentials (fledge
 * signs its requests, and a URL is shown and stored), no fragment, no whitespace or control
 * characters, at most {@link LIMITS.maxWebhookUrlLength} characters.
 */
export function checkWebhookUrl(text: string): NameResult<URL> {
  if (text.length > LIMITS.maxWebhookUrlLength) return { ok: false, message: `must be at most ${LIMITS.maxWebhookUrlLength} characters, got ${text.length}` };
  // URL() would quietly drop or encode these: what is written must be what is called.
  if (/[\s\p{Cc}\p{Cf}]/u.test(text)) return { ok: false, message: `${quote(text)} contains spaces or control characters; percent-encode them` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: `${quote(text)} is not a URL: write https://host/path` };
  }
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      return { ok: false, message: `plain http is allowed only to localhost, 127.0.0.1 or [::1] (local mode and tests); ${quote(url.host)} needs https://` };
    }
  } else if (url.protocol !== 'https:') {
    return { ok: false, message: `${quote(url.protocol)} is not allowed: a webhook URL starts with https://` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'credentials in the URL (user:password@) are refused: a URL is stored and shown, and fledge signs every request (X-Fledge-Signature)' };
  }
  if (url.hash !== '' || text.includes('#')) return { ok: false, message: 'a fragment (#…) is never sent to the server: remove it' };
  return { ok: true, value: url };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const metadata = z
  .record(
    z.string(),
    z.string({ error: (issue) => (typeof issue.input === 'object' && issue.input !== null ? `metadata values must be strings, got ${shortly(issue.input)}` : `metadata values must be strings: quote it (${quote(String(issue.input))})`) }),
  )
  .superRefine(
    (entries, ctx) => {
      if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return;
      const keys = Object.keys(entries);
      if (keys.length > LIMITS.maxWebhookMetadataEntries) ctx.addIssue({ code: 'custom', message: `at most ${LIMITS.maxWebhookMetadataEntries} entries, got ${keys.length}` });
      for (const key of keys) {
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `${quote(key)} is not a valid metadata key: 1-64 letters, digits, "_", "." or "-"` });
      }
      const bytes = Object.entries(entries).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
      if (bytes > LIMITS.maxWebhookMetadataBytes) ctx.addIssue({ code: 'custom', message: `the metadata takes ${bytes} bytes; at most ${LIMITS.maxWebhookMetadataBytes}` });
    },
    { when: () => true },
  );

/** The longest one webhook may take: every try timing out, and the pauses between them. */
export function worstCaseSeconds(webhook: { readonly timeout: number; readonly retries: number }): number {
  return (webhook.retries + 1) * webhook.timeout + webhook.retries * LIMITS.webhookRetryDelay;
}

const webhook = z
  .strictObject({
    name: z
      .string()
      .regex(NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
      .optional(),
    url: named(checkWebhookUrl),
    timeout: duration(LIMITS.minWebhookTimeout, LIMITS.maxWebhookTimeout).optional(),
    retries: z
      .int({ error: (issue) => (issue.input === undefined ? undefined : `expected a whole number of retries, 0 to ${LIMITS.maxWebhookRetries}`) })
      .min(0, 'must be 0 (one try) or more')
      .max(LIMITS.maxWebhookRetries, `must be at most ${LIMITS.maxWebhookRetries}`)
      .optional(),
    metadata: metadata.optional(),
  })
  .superRefine((value, ctx) => {
    const timeout = value.timeout ?? LIMITS.defaultWebhookTimeout;
    const retries = value.retries ?? LIMITS.defaultWebhookRetries;
    const worst = worstCaseSeconds({ timeout, retries });
    if (worst > LIMITS.maxWebhookSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: [value.timeout !== undefined ? 'timeout' : 'retries'],
        message:
          `${retries + 1} tries of ${formatDuration(timeout)} and ${formatDuration(retries * LIMITS.webhookRetryDelay)} between them may take ${formatDuration(worst)}; ` +
          `a webhook may hold a deployment step at most ${formatDuration(LIMITS.maxWebhookSeconds)}: lower "timeout" or "retries"`,
      });
    }
  });

const webhookList = z
  .array(webhook)
  .min(1, 'give at least one webhook, or leave this point out')
  .max(LIMITS.maxWebhooksPerPoint, `at most ${LIMITS.maxWebhooksPerPoint} webhooks per point`)
  .superRefine(
    (list, ctx) => {
      if (!Array.isArray(list)) return;
      const seen = new Map<string, number>();
      list.forEach((item, index) => {
        if (typeof item !== 'object' || item === null || typeof item.url !== 'string') return;
        const name = item.name ?? hostOf(item.url);
        if (name === undefined) return;
        const first = seen.get(name);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [index, item.name === undefined ? 'url' : 'name'], message: `two webhooks here are named ${quote(name)} (already [${first}]): give each a distinct "name"` });
        } else seen.set(name, index);
      });
    },
    { when: () => true },
  );

/** The `webhooks` section as users write it: a list of webhooks per point. */
export const webhooksSchema = z.strictObject(Object.fromEntries(WEBHOOK_POINTS.map((point) => [point, webhookList.optional()])) as { [P in WebhookPoint]: z.ZodOptional<typeof webhookList> });

/** The `webhooks` section that passed {@link webhooksSchema}. */
export type WrittenWebhooks = z.infer<typeof webhooksSchema>;

/** The normalised webhooks: defaults filled in; undefined when the spec has none (a v1 spec without them normalises as before). */
export function normaliseWebhooks(written: WrittenWebhooks | undefined): WebhooksSpec | undefined {
  if (written === undefined) return undefined;
  const points = WEBHOOK_POINTS.filter((point) => (written[point]?.length ?? 0) > 0).map((point) => [
    point,
    written[point]!.map(
      (item): WebhookSpec => ({
        name: item.name ?? hostOf(item.url) ?? item.url,
        url: item.url,
        timeout: item.timeout ?? LIMITS.defaultWebhookTimeout,
        retries: item.retries ?? LIMITS.defaultWebhookRetries,
        ...(item.metadata !== undefined && Object.keys(item.metadata).length > 0 && { metadata: { ...item.metadata } }),
      }),
    ),
  ]);
  return points.length > 0 ? (Object.fromEntries(points) as WebhooksSpec) : undefined;
}

/** `host[:port]` of a URL, which is how a webhook is shown when it has no name (never its path or query, which may carry a token). */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}
