import { SSMClient } from '@aws-sdk/client-ssm';
import { HttpWebhookSender } from '../../../shared/adapters/http-webhooks';
import { SsmSecret } from '../../../shared/adapters/ssm-secrets';
import { ConfigurationError } from '../../../shared/model/engine-errors';
import { factory, type Composition, type PortFactory } from '../composition';

/**
 * Webhook requests, signed with the installation's webhook signing secret: the composition's own
 * (local mode keeps it in its data directory), else the SSM parameter `FLEDGE_WEBHOOK_SECRET_PARAMETER`
 * names, read through SsmSecret (Powertools Parameters' cache) only when a webhook is called.
 */
export const webhooksPort: PortFactory<'webhooks'> = /* @__PURE__ */ factory([], (c) => new HttpWebhookSender(webhookSecret(c)));

/** The webhook signing secret's text, from the composition or SSM (the spec's webhooks and the outgoing notification webhooks sign alike). */
export function webhookSecret(c: Composition): () => Promise<string> {
  if (c.webhookSecret) return c.webhookSecret;
  const parameter = c.settings.webhookSecretParameter;
  if (!parameter) {
    return () => Promise.reject(new ConfigurationError('fledge is misconfigured: FLEDGE_WEBHOOK_SECRET_PARAMETER is not set, and webhooks are signed with the secret it names'));
  }
  const secret = new SsmSecret(c.client(SSMClient), parameter);
  return () => secret.value();
}
