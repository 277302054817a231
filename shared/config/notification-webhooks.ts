import { ConfigurationError } from '../model/engine-errors';
import { parseKindFilter, type KindFilter } from '../model/notification';

/** The formats an outgoing notification webhook can take (docs/events.md#outgoing-webhooks). */
export const WEBHOOK_FORMATS = ['json', 'slack', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** One outgoing notification webhook. */
export interface NotificationWebhook {
  readonly url: string;
  readonly format: WebhookFormat;
  readonly kinds: KindFilter;
}

/** The most webhooks one installation sends to. */
export const MAX_NOTIFICATION_WEBHOOKS = 10;

/**
 * Reads the list of outgoing notification webhooks: the JSON kept in the SSM SecureString
 * `FLEDGE_NOTIFICATION_WEBHOOKS_PARAMETER` names (the URLs of Slack and Teams webhooks are
 * secrets), `[{"url": "https://…", "format": "teams", "events": "approvals,failures"}]`.
 * `format` defaults to `json`, `events` to `all`. Anything else is refused with a
 * {@link ConfigurationError} naming the entry and the field; the URL itself is never repeated.
 */
export function parseNotificationWebhooks(text: string): NotificationWebhook[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigurationError('the notification webhooks parameter is not JSON: write a list such as [{"url": "https://…", "format": "json", "events": "all"}]');
  }
  if (!Array.isArray(value)) throw new ConfigurationError('the notification webhooks parameter must be a JSON list of webhooks');
  if (value.length > MAX_NOTIFICATION_WEBHOOKS) throw new ConfigurationError(`the notification webhooks parameter lists ${value.length} webhooks; at most ${MAX_NOTIFICATION_WEBHOOKS}`);
  return value.map((entry: unknown, index) => {
    const where = `notification webhook [${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigurationError(`${where} must be an object with "url"`);
    const { url, format = 'json', events = 'all', ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new ConfigurationError(`${where}: unknown field "${unknown[0]!.slice(0, 40)}" (known: url, format, events)`);
    if (typeof url !== 'string' || !isWebhookUrl(url)) throw new ConfigurationError(`${where}.url must be an https:// URL (http:// only to localhost)`);
    if (typeof format !== 'string' || !(WEBHOOK_FORMATS as readonly string[]).includes(format)) throw new ConfigurationError(`${where}.format must be one of ${WEBHOOK_FORMATS.join(', ')}`);
    if (typeof events !== 'string') throw new ConfigurationError(`${where}.events must be text such as "all" or "approvals,failures"`);
    return { url, format: format as WebhookFormat, kinds: parseKindFilter(events, `${where}.events`) };
  });
}

function isWebhookUrl(text: string): boolean {
  try {
    const url = new URL(text);
    if (url.username || url.password) return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}
