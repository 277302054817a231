import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { EVENT_SOURCE, EventBridgeChannel } from '../../../shared/adapters/eventbridge-channel';
import { GitHubDeploymentsChannel, githubStatusOf } from '../../../shared/adapters/github-deployments';
import { HttpWebhookSender } from '../../../shared/adapters/http-webhooks';
import { render as renderSns, SnsNotifier, type ApprovalLinkBuilder } from '../../../shared/adapters/sns-notifier';
import { SsmSecret } from '../../../shared/adapters/ssm-secrets';
import { WebhookChannel } from '../../../shared/adapters/webhook-channel';
import { parseNotificationWebhooks, type NotificationWebhook } from '../../../shared/config/notification-webhooks';
import { slackMessage } from '../../../shared/interfaces/slack/message';
import { teamsMessage } from '../../../shared/interfaces/teams/message';
import { ChannelDeliveryError, TransientAwsError } from '../../../shared/model/engine-errors';
import { deploymentLink, eventDetail } from '../../../shared/model/event-detail';
import { ALL_NOTIFICATION_KINDS, ENDING_KINDS, NOTIFICATION_KINDS, parseKindFilter, type KindFilter } from '../../../shared/model/notification';
import type { ChannelTry, EventChannel, Notifier, PublishedEvent } from '../../../shared/ports/notifier';
import { factory, setting, type Composition, type PortFactory } from '../composition';
import { webhookSecret } from './webhooks';

/**
 * SNS: notifications (`FLEDGE_NOTIFICATION_TOPIC_ARN`), and approval requests on the approvals
 * topic when there is one (`FLEDGE_APPROVAL_TOPIC_ARN`), their Approve/Reject links from
 * `approvalLinks` (none: the message names the CLI commands); plus the channels every event goes
 * to ({@link eventChannels}). The same for every function that notifies.
 */
export function snsNotifier(c: Composition, approvalLinks?: ApprovalLinkBuilder): Notifier {
  const sns = new SnsNotifier(c.client(SNSClient), { notifications: setting(c, 'notificationTopicArn'), ...(c.settings.approvalTopicArn ? { approvals: c.settings.approvalTopicArn } : {}) }, approvalLinks);
  let channels: Promise<readonly EventChannel[]> | undefined;
  const failed = c.onNotificationFailure;
  return {
    notify: (notification) => tellingFailure('sns', failed, () => sns.notify(notification)),
    channels: () => {
      // Read once per cold start; a failed read is tried again by the next event.
      const read = (channels ??= eventChannels(c, sns));
      read.catch(() => {
        if (channels === read) channels = undefined;
      });
      return read;
    },
  };
}

/** The kinds the SNS topic hears of as progress (the endings and approval requests reach it through `notify`). */
const SNS_PROGRESS: KindFilter = new Set(ALL_NOTIFICATION_KINDS.filter((kind) => !ENDING_KINDS.has(kind) && kind !== 'approvalRequested'));

/**
 * The channels of this installation (docs/events.md): the SNS topic for the progress events (its
 * subscriptions' filter policies choose per e-mail and Slack), the EventBridge bus when
 * `FLEDGE_EVENT_BUS` is set, each outgoing webhook of `FLEDGE_NOTIFICATION_WEBHOOKS_PARAMETER`, and
 * GitHub deployment status when `FLEDGE_GITHUB_TOKEN_PARAMETER` (or the composition's token) is set.
 */
async function eventChannels(c: Composition, sns: SnsNotifier): Promise<readonly EventChannel[]> {
  const { settings } = c;
  const apiUrl = settings.apiUrl;
  const link = (deploymentId: string) => deploymentLink(apiUrl, deploymentId);
  // Each channel with where it sends and what (local mode's outbox shows them: c.onChannelTry).
  const channels: { channel: EventChannel; target: string; body: (event: PublishedEvent) => unknown }[] = [];
  channels.push({
    target: setting(c, 'notificationTopicArn'),
    body: (event) => renderSns(event.notification),
    channel: {
      name: 'sns',
      kinds: SNS_PROGRESS,
      deliver: async (event) => {
        try {
          await sns.notify(event.notification);
        } catch (error) {
          throw new ChannelDeliveryError((error as Error).message, error instanceof TransientAwsError, { cause: error });
        }
      },
    },
  });
  if (settings.eventBus) {
    channels.push({
      channel: new EventBridgeChannel(c.client(EventBridgeClient), settings.eventBus, parseKindFilter(settings.eventBusEvents ?? 'all', 'FLEDGE_EVENT_BUS_EVENTS'), apiUrl),
      target: `bus ${settings.eventBus}`,
      body: (event) => ({ source: EVENT_SOURCE, 'detail-type': NOTIFICATION_KINDS[event.notification.kind], detail: eventDetail(event, link(event.notification.deploymentId)) }),
    });
  }
  const hooks = await notificationWebhooks(c);
  if (hooks.length > 0) {
    const sender = new HttpWebhookSender(webhookSecret(c));
    hooks.forEach((hook, index) => {
      channels.push({ channel: new WebhookChannel(`webhook ${index} (${hook.format})`, sender, hook.url, hook.kinds, (event) => render(hook, event, apiUrl)), target: urlOrigin(hook.url), body: (event) => render(hook, event, apiUrl) });
    });
  }
  const token = githubToken(c);
  if (token) {
    channels.push({
      channel: new GitHubDeploymentsChannel(token, parseKindFilter(settings.githubEvents ?? 'all', 'FLEDGE_GITHUB_EVENTS'), { ...(settings.githubApiUrl ? { apiBase: settings.githubApiUrl } : {}), link }),
      target: '',
      body: (event) => githubStatusOf(event, link(event.notification.deploymentId)),
    });
  }
  const observe = c.onChannelTry;
  const failed = c.onNotificationFailure;
  const built = observe ? channels.map((entry) => observed(entry, c, observe)) : channels.map((entry) => entry.channel);
  return failed ? built.map((channel) => counted(channel, failed)) : built;
}

/** `channel`, telling `failed` of each event it gave up on (its own tries done). */
function counted(channel: EventChannel, failed: (channel: string) => void): EventChannel {
  return { name: channel.name, kinds: channel.kinds, deliver: (event) => tellingFailure(channel.name, failed, () => channel.deliver(event)) };
}

/** Does `work` for `channel`; when it throws, tells `failed` first (the error goes on as it was). */
async function tellingFailure<T>(channel: string, failed: ((channel: string) => void) | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    failed?.(channel);
    throw error;
  }
}

/**
 * `channel`, telling `observe` of each try with what it sent. GitHub's target is the event's
 * repository and ref; an event it passes over (no `source.github`) is no try.
 */
function observed(entry: { channel: EventChannel; target: string; body: (event: PublishedEvent) => unknown }, c: Composition, observe: (attempt: ChannelTry) => void): EventChannel {
  const { channel } = entry;
  return {
    name: channel.name,
    kinds: channel.kinds,
    deliver: async (event) => {
      const github = event.notification.github;
      const isGitHub = channel instanceof GitHubDeploymentsChannel;
      if (isGitHub && !github) return channel.deliver(event);
      const target = isGitHub && github ? `${github.repository}@${github.ref} (${github.environment ?? event.notification.alias})` : entry.target;
      const tell = (error?: unknown) => {
        try {
          observe({ channel: channel.name, event, target, body: entry.body(event), at: c.clock.now(), ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }) });
        } catch {
          // Watching never changes what was delivered.
        }
      };
      try {
        await channel.deliver(event);
      } catch (error) {
        tell(error);
        throw error;
      }
      tell();
    },
  };
}

function render(hook: NotificationWebhook, event: PublishedEvent, apiUrl: string | undefined): unknown {
  const link = deploymentLink(apiUrl, event.notification.deploymentId);
  switch (hook.format) {
    case 'json':
      return eventDetail(event, link);
    case 'slack':
      return slackMessage(event.notification, apiUrl ?? '');
    case 'teams':
      return teamsMessage(event, link);
  }
}

async function notificationWebhooks(c: Composition): Promise<NotificationWebhook[]> {
  if (c.notificationWebhooks) return parseNotificationWebhooks(await c.notificationWebhooks());
  const parameter = c.settings.notificationWebhooksParameter;
  if (!parameter) return [];
  return parseNotificationWebhooks(await new SsmSecret(c.client(SSMClient), parameter).value());
}

function githubToken(c: Composition): (() => Promise<string>) | undefined {
  if (c.githubToken) return c.githubToken;
  const parameter = c.settings.githubTokenParameter;
  if (!parameter) return undefined;
  const secret = new SsmSecret(c.client(SSMClient), parameter);
  return () => secret.value();
}

/** The notifier of every function that notifies but the approval function (./signed-notifier.ts). */
export const notifierPort: PortFactory<'notifier'> = /* @__PURE__ */ factory(['notificationTopicArn'], (c) => snsNotifier(c));

/** A webhook's origin only (`https://hooks.slack.com/…`): the rest of a Slack or Teams webhook's URL is its secret. */
function urlOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.length > 1 || parsed.search ? '/…' : ''}`;
  } catch {
    return 'a webhook';
  }
}
