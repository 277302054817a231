import { SSMClient } from '@aws-sdk/client-ssm';
import { SlackWebhook } from '../shared/adapters/slack-webhook';
import { SsmSecret } from '../shared/adapters/ssm-secrets';
import { readInterfaceConfig, requireInterfaceConfig } from '../shared/config/interface-env';
import { InvalidTaskInputError } from '../shared/domain/deployment/errors';
import { parsePublishedNotification, slackMessage, type SlackMessage } from '../shared/domain/slack/message';
import { lazyHandler } from './lib/lazy';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';

const config = readInterfaceConfig(process.env);
const ssm = new SSMClient({});

/** Where the notifier posts: the Slack webhook over SSM on AWS, a stand-in in tests. */
export interface SlackNotifierDeps {
  readonly slack: { post(message: SlackMessage): Promise<void> };
}

/** The SNS→Lambda event, as far as the notifier reads it. */
interface SnsEvent {
  readonly Records: readonly { readonly Sns: { readonly MessageId?: string; readonly MessageAttributes?: Readonly<Record<string, { readonly Value?: string } | undefined>> } }[];
}

function parseSnsEvent(event: unknown): SnsEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) throw new InvalidTaskInputError('the Slack notifier expects an SNS event with Records');
  return { Records: records.filter((record): record is SnsEvent['Records'][number] => typeof (record as { Sns?: unknown })?.Sns === 'object') };
}

/**
 * Subscribed to the approval and notification topics: posts each fledge notification as a
 * Block Kit message (approval requests with Approve/Reject link buttons). Messages that are not
 * fledge's are skipped; a failed post fails the invocation so SNS retries it.
 */
export function createHandler(deps: SlackNotifierDeps) {
  return taskHandler('slack-notifier', parseSnsEvent, async (event) => {
    let posted = 0;
    for (const record of event.Records) {
      const notification = parsePublishedNotification(record.Sns.MessageAttributes?.['facts']?.Value);
      if (!notification) {
        log.warn('slack-notifier: not a fledge notification, skipped', { messageId: record.Sns.MessageId });
        continue;
      }
      await deps.slack.post(slackMessage(notification));
      posted += 1;
    }
    return { posted };
  });
}

/** Lambda entry point: the webhook URL comes from the SSM SecureString named by `FLEDGE_SLACK_WEBHOOK_PARAMETER`. */
export const handler = lazyHandler(() => {
  const { slackWebhookParameter } = requireInterfaceConfig(config, ['slackWebhookParameter']);
  const secret = new SsmSecret(ssm, slackWebhookParameter);
  return createHandler({ slack: new SlackWebhook(() => secret.value()) });
});
