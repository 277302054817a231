import { linkOrigin } from '../shared/domain/approval/own-links';
import { parsePublishedNotification, slackMessage, trustedLinks } from '../shared/interfaces/slack/message';
import type { SlackPoster } from '../shared/ports/slack';
import { settingOf } from './lib/composition';
import { parseSnsEvent } from './lib/events';
import { lambdaHandler } from './lib/lambda-handler';
import { log } from './lib/log';
import { slackPort } from './lib/ports/slack';
import { taskHandler } from './lib/task-handler';

/** Where the notifier posts (the Slack webhook over SSM on AWS, a stand-in in tests), and fledge's API URL. */
export interface SlackNotifierDeps {
  readonly slack: SlackPoster;
  /** `FLEDGE_API_URL`: the only place a message's buttons may link to. */
  readonly apiUrl: string;
}

/**
 * Subscribed to the approval and notification topics: posts each fledge notification as a
 * Block Kit message (approval requests with Approve/Reject link buttons). Messages that are not
 * fledge's are skipped; approval links that are not under fledge's API URL are dropped (the
 * message then names the CLI commands) and logged by origin only; a failed post fails the
 * invocation so SNS retries it.
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
      const links = notification.kind === 'approvalRequested' ? notification.links : undefined;
      if (links && !trustedLinks(notification, deps.apiUrl)) {
        log.warn('slack-notifier: approval links not under FLEDGE_API_URL, posted without buttons', {
          messageId: record.Sns.MessageId,
          deploymentId: notification.deploymentId,
          linkOrigins: [links.approve, links.reject].map((link) => linkOrigin(String(link))),
        });
      }
      await deps.slack.post(slackMessage(notification, deps.apiUrl));
      posted += 1;
    }
    return { posted };
  });
}

/**
 * Lambda entry point: the webhook URL comes from the SSM SecureString named by
 * `FLEDGE_SLACK_WEBHOOK_PARAMETER`; buttons may link only under `FLEDGE_API_URL`.
 */
export const handler = lambdaHandler(createHandler, { slack: slackPort, apiUrl: settingOf('apiUrl') });
