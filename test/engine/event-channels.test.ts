import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { publishEvent } from '../../shared/domain/deployment/publish-events';
import { ALL_NOTIFICATION_KINDS, ENDING_KINDS, NOTIFICATION_KINDS, type DeploymentNotification } from '../../shared/model/notification';
import { verifyWebhookSignature } from '../../shared/adapters/webhook-signing';
import { parseKindFilter, type NotificationKind } from '../../shared/model/notification';
import { GITHUB_STATES } from '../../shared/adapters/github-deployments';
import type { DeploymentSpec } from '../../shared/model/spec';
import { deploymentId, executionEnd, existingFunction, historyOf, recordStatus, settledAs, spec, startDeployment, startEngine, uploadArtifact, userCode, TIMED_PAUSES, type EngineWorld } from '../support/engine';
import { eventually } from '../support/local-aws';
import { snsNotifier } from '../../functions/lib/ports/notifier';
import { awsComposition } from '../../functions/lib/lambda-handler';
import type { FledgeConfig } from '../../shared/config/env';
import { startGithubStandIn, type GithubStandIn } from '../support/github-stand-in';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver';

const FILTERS = { json: 'all', teams: 'approvals,failures', slack: 'endings', github: 'all', email: 'approvals,failures', eventbridge: 'all' } as const;

describe('every event reaches each channel its filter takes', () => {
  let world: EngineWorld;
  let hooks: WebhookReceiver;
  let github: GithubStandIn;
  let failing: WebhookReceiver;

  beforeAll(async () => {
    hooks = await startWebhookReceiver();
    failing = await startWebhookReceiver();
    failing.answer = () => ({ status: 500, body: 'down' });
    github = await startGithubStandIn();
    world = await startEngine({
      notifications: {
        webhooks: JSON.stringify([
          { url: `${hooks.url}/json`, format: 'json', events: FILTERS.json },
          { url: `${hooks.url}/teams`, format: 'teams', events: FILTERS.teams },
          { url: `${hooks.url}/slack`, format: 'slack', events: FILTERS.slack },
          { url: `${failing.url}/down`, format: 'json', events: 'all' },
        ]),
        githubToken: 'ghp_test-token',
        githubApiUrl: github.url,
      },
    });
    for (const topicArn of [world.plane.approvalTopicArn, world.plane.notificationTopicArn]) {
      await world.plane.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'oncall@example.com', Attributes: { FilterPolicy: JSON.stringify({ events: FILTERS.email.split(',') }) } }));
      await world.plane.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'everything@example.com' }));
    }
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
    await Promise.all([hooks?.stop(), github?.stop(), failing?.stop()]);
  });

  function withApproval(name: string): DeploymentSpec {
    const base = spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'approval', timeout: 3600 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 60 }] }, { health: TIMED_PAUSES });
    return { ...base, source: { github: { repository: 'acme/payments', ref: 'main', environment: `prod-${name}` } } };
  }

  async function deploy(name: string, approve: boolean): Promise<string> {
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId(name);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: withApproval(name), artifact });
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');
    // Decided as the approval pages decide: without any notification channel (the engine task publishes it).
    const { store, orchestrator, clock } = world.plane.deps;
    await decideApproval({ store, orchestrator, clock }, { approvalId: waiting.approvalId!, approve, by: 'alice@example.com' });
    await executionEnd(world, executionArn);
    await settledAs(world, id, approve ? 'SUCCEEDED' : 'ROLLED_BACK');
    return id;
  }

  const bodies = (path: string, id: string) => hooks.requests.filter((r) => r.path === path && r.body.includes(id));
  const kindOf = (request: ReceivedRequest) => (JSON.parse(request.body) as { kind: string }).kind;

  it('sends each kind to EventBridge, SNS e-mail, every webhook and GitHub as their filters say, and a receiver that keeps failing changes nothing', async () => {
    // Act
    const promoted = await deploy('events-approved-fn', true);
    const rolledBack = await deploy('events-rejected-fn', false);

    // Assess
    const expected: Record<string, NotificationKind[]> = {
      [promoted]: ['started', 'weight', 'approvalRequested', 'approvalGiven', 'weight', 'promoted'],
      [rolledBack]: ['started', 'weight', 'approvalRequested', 'approvalRejected', 'rolledBack'],
    };
    for (const [id, kinds] of Object.entries(expected)) {
      const takes = (filter: string) => kinds.filter((kind) => parseKindFilter(filter, 'test').has(kind)).sort();
      // EventBridge: one entry per event, source fledge, the kind's detail-type, an id to drop repeats on.
      const events = await eventually(async () => {
        const { events: all } = (await (await fetch(`${world.aws.endpoint}/_fledge/events/events`)).json()) as { events: { source: string; 'detail-type': string; detail: { kind: string; deploymentId: string; eventId: string } }[] };
        const mine = all.filter((e) => e.source === 'fledge' && e.detail.deploymentId === id);
        return mine.length >= kinds.length ? mine : undefined;
      });
      expect(events.map((e) => e.detail.kind).sort()).toEqual(takes(FILTERS.eventbridge));
      expect(new Set(events.map((e) => e.detail.eventId)).size).toBe(events.length);
      // The outgoing webhooks, each with its filter; JSON ones signed with the installation's secret.
      expect(bodies('/json', id).map(kindOf).sort()).toEqual(takes(FILTERS.json));
      for (const request of bodies('/json', id)) expect(verifyWebhookSignature(world.plane.webhookSecret, request.headers['x-fledge-signature'] as string, request.body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(bodies('/teams', id)).toHaveLength(takes(FILTERS.teams).length);
      expect(bodies('/teams', id).every((r) => r.body.includes('AdaptiveCard'))).toBe(true);
      expect(bodies('/slack', id)).toHaveLength(takes(FILTERS.slack).length);
      // E-mail: the subscription's filter policy on the `events` attribute.
      const mails = await eventually(async () => {
        const response = await fetch(`${world.aws.endpoint}/_fledge/sns/outbox?to=oncall%40example.com`);
        const { messages } = (await response.json()) as { messages: { body: string }[] };
        const mine = messages.filter((m) => m.body.includes(id));
        return mine.length >= takes(FILTERS.email).length ? mine : undefined;
      });
      expect(mails).toHaveLength(takes(FILTERS.email).length);
      const everything = await eventually(async () => {
        const response = await fetch(`${world.aws.endpoint}/_fledge/sns/outbox?to=everything%40example.com`);
        const { messages } = (await response.json()) as { messages: { body: string }[] };
        const mine = messages.filter((m) => m.body.includes(id));
        return mine.length >= kinds.length ? mine : undefined;
      });
      expect(everything).toHaveLength(kinds.length);
      // The failing receiver: tried at most three times per event, recorded, and the deployment ended as it would have.
      const history = await historyOf(world, id);
      const failures = history.filter((e) => e.kind === 'notificationFailed');
      expect(failures).toHaveLength(kinds.length);
      expect(failures.every((e) => e.message.includes('webhook 3 (json)') && e.message.includes('500'))).toBe(true);
      expect(failing.requests.filter((r) => r.body.includes(id))).toHaveLength(kinds.length * 3);
    }
    // GitHub: one deployment per fledge deployment, then a status per event, in order, ending success / failure.
    const statuses = (id: string) => github.statesOf(id);
    expect(github.created).toHaveLength(2);
    expect(statuses(promoted)).toEqual(['in_progress', 'in_progress', 'in_progress', 'in_progress', 'in_progress', 'success']);
    expect(statuses(rolledBack)).toEqual(['in_progress', 'in_progress', 'in_progress', 'failure', 'failure']);
    expect(github.requests.every((r) => r.headers.authorization === 'Bearer ghp_test-token' && r.headers['x-github-api-version'] === '2022-11-28')).toBe(true);
  }, 120_000);

  /** One notification of each kind, as the engine builds it (the kinds two deployments do not produce included). */
  function sample(kind: NotificationKind, deploymentId: string): DeploymentNotification {
    const facts = { deploymentId, functionName: 'orders', alias: 'live', newVersion: '8', previousVersion: '7', startedBy: 'ci@example.com', github: { repository: 'acme/payments', ref: 'main', environment: `prod-${deploymentId}` } };
    const reason = 'error rate 12% over 5% \u001b[31m<!channel>';
    switch (kind) {
      case 'started':
        return { kind, ...facts, source: 'api', strategy: 'canary' };
      case 'weight':
        return { kind, ...facts, percent: 10, version: '8' };
      case 'approvalRequested':
        return { kind, ...facts, approvalId: `${deploymentId}.a1`, expiresAt: Date.now() + 3_600_000, currentWeight: 10, health: '2 health checks, all green' };
      case 'approvalGiven':
      case 'approvalRejected':
        return { kind, ...facts, approvalId: `${deploymentId}.a1`, by: 'alice@example.com', comment: 'looks fine' };
      case 'promoted':
        return { kind, ...facts, evidence: { version: '8', invocations: 120, minInvocations: 20, checks: 3, shortSteps: 0 } };
      case 'rolledBack':
      case 'rejected':
        return { kind, ...facts, reason };
      case 'drifted':
      case 'failed':
        return { kind, ...facts, reason, aliasDescription: 'alias orders:live: version 9 (revision r-2)' };
    }
  }

  it.each(ALL_NOTIFICATION_KINDS)('publishes a %s event to EventBridge, every webhook, GitHub and e-mail as their filters say', async (kind) => {
    // Prepare
    const id = `kinds-${kind}-${Date.now()}`;
    const notification = sample(kind, id);
    const at = world.plane.deps.clock.now();

    // Act: as the engine does: every channel once (publishEvent); the SNS e-mail of endings and approval requests through notify.
    await publishEvent(world.plane.deps, { deploymentId: id, key: `${kind}-0000`, at }, notification);
    if (ENDING_KINDS.has(kind) || kind === 'approvalRequested') await world.plane.deps.notifier.notify(notification);

    // Assess
    const takes = (filter: string) => parseKindFilter(filter, 'test').has(kind);
    const onBus = await eventually(async () => {
      const { events: all } = (await (await fetch(`${world.aws.endpoint}/_fledge/events/events`)).json()) as { events: { source: string; 'detail-type': string; detail: { kind: string; deploymentId: string; eventId: string } }[] };
      return all.find((e) => e.source === 'fledge' && e.detail.deploymentId === id);
    });
    expect(onBus['detail-type']).toBe(NOTIFICATION_KINDS[kind]);
    expect(onBus.detail.eventId).toBe(`${id}/${kind}-0000`);
    expect(bodies('/json', id).map(kindOf)).toEqual(takes(FILTERS.json) ? [kind] : []);
    expect(bodies('/teams', id)).toHaveLength(takes(FILTERS.teams) ? 1 : 0);
    expect(bodies('/slack', id)).toHaveLength(takes(FILTERS.slack) ? 1 : 0);
    // No text from the spec or a reason reaches a receiver raw: no escape sequence, no Slack mention.
    for (const request of [...bodies('/teams', id), ...bodies('/slack', id), ...bodies('/json', id)]) {
      const texts: string[] = [];
      JSON.parse(request.body, (_key, value: unknown) => (typeof value === 'string' && texts.push(value), value));
      expect(texts.filter((text) => text.includes('\u001b'))).toEqual([]);
    }
    for (const request of [...bodies('/teams', id), ...bodies('/slack', id)]) expect(request.body).not.toContain('<!channel>');
    const states = github.statesOf(id);
    expect(states).toEqual([GITHUB_STATES[kind]]);
    const mails = await eventually(async () => {
      const { messages } = (await (await fetch(`${world.aws.endpoint}/_fledge/sns/outbox?to=everything%40example.com`)).json()) as { messages: { body: string }[] };
      const mine = messages.filter((m) => m.body.includes(id));
      return mine.length > 0 ? mine : undefined;
    });
    expect(mails).toHaveLength(1);
    const { messages: filtered } = (await (await fetch(`${world.aws.endpoint}/_fledge/sns/outbox?to=oncall%40example.com`)).json()) as { messages: { body: string }[] };
    expect(filtered.filter((m) => m.body.includes(id))).toHaveLength(takes(FILTERS.email) ? 1 : 0);
    // The receiver that is down: three tries, one notificationFailed in the history, nothing thrown.
    expect(failing.requests.filter((r) => r.body.includes(id))).toHaveLength(3);
    const failures = (await historyOf(world, id)).filter((e) => e.kind === 'notificationFailed');
    expect(failures.map((e) => e.message)).toEqual([expect.stringContaining(`could not send ${kind} to webhook 3 (json): the receiver answered 500`)]);
  }, 60_000);

  it('counts each notification a channel or SNS\'s e-mail gave up on, by kind of channel, as the metric NotificationFailures an operator alarms on', async () => {
    // Prepare: the installation's channels (the receiver at webhook 3 is down), and a topic that does not exist.
    const told: string[] = [];
    const onNotificationFailure = (channel: string) => told.push(channel);
    const notifier = snsNotifier({ ...world.plane.composition, onNotificationFailure });
    const lost = snsNotifier({ ...world.plane.composition, settings: { ...world.plane.composition.settings, notificationTopicArn: `${world.plane.notificationTopicArn}-gone` }, onNotificationFailure });
    const notification: DeploymentNotification = { kind: 'rolledBack', deploymentId: 'metric-1', functionName: 'fn', alias: 'live', startedBy: 'test', reason: 'alarm went red' };
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;

    // Act
    let sent: PromiseSettledResult<void>[];
    try {
      sent = await Promise.allSettled((await notifier.channels!()).map((channel) => channel.deliver({ id: 'metric-1/outcome', at: world.aws.clock.now(), notification })));
      await lost.notify(notification).catch(() => undefined);
      awsComposition({ stage: 'prod' } as FledgeConfig).onNotificationFailure!('webhook 3 (json)');
    } finally {
      process.stdout.write = write;
    }

    // Assess: the down receiver and the missing topic told, nothing for the channels that delivered.
    expect(sent.filter((result) => result.status === 'rejected')).toHaveLength(1);
    expect(told).toEqual(['webhook 3 (json)', 'sns']);
    const emf = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => '_aws' in line);
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'fledge', Dimensions: [expect.arrayContaining(['Stage', 'Channel'])], Metrics: [{ Name: 'NotificationFailures', Unit: 'Count' }] }] },
      Stage: 'prod',
      Channel: 'webhook',
      NotificationFailures: 1,
    });
  });
});
