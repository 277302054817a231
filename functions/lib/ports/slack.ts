import { SSMClient } from '@aws-sdk/client-ssm';
import { SlackWebhook } from '../../../shared/adapters/slack-webhook';
import { SsmSecret } from '../../../shared/adapters/ssm-secrets';
import { factory, setting, type Factory } from '../composition';

/** The Slack incoming webhook, its URL in the SecureString `FLEDGE_SLACK_WEBHOOK_PARAMETER`. */
export const slackPort: Factory<SlackWebhook> = /* @__PURE__ */ factory(['slackWebhookParameter'], (c) => {
  const secret = new SsmSecret(c.client(SSMClient), setting(c, 'slackWebhookParameter'));
  return new SlackWebhook(() => secret.value());
});
