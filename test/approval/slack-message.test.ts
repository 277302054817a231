import { describe, expect, it } from 'vitest';
import type { DeploymentNotification } from '../../shared/model/notification';
import { parsePublishedNotification, slackMessage } from '../../shared/interfaces/slack/message';
import { expectWellFormedBlockKit } from './block-kit';

const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const facts = { deploymentId: 'd-1', functionName: 'orders', alias: 'live', previousVersion: '4', newVersion: '5', startedBy: 'ci <bot> & co' };
const notifications: DeploymentNotification[] = [
  { kind: 'rolledBack', ...facts, reason: 'alarm orders-5xx is in ALARM' },
  { kind: 'drifted', ...facts, reason: 'revision changed', aliasDescription: 'version 3' },
  { kind: 'failed', ...facts, reason: 'x'.repeat(5000), aliasDescription: '90% v4, 10% v5' },
  { kind: 'rejected', ...facts, reason: 'spec.yaml: 7:3 strategy.preset: unknown preset' },
  { kind: 'approvalRequested', ...facts, functionName: 'f'.repeat(200), approvalId: 'd-1.a2', expiresAt: Date.parse('2026-11-22T10:00:00Z'), currentWeight: 10, health: '3 checks green' },
];

describe('Slack messages', () => {
  it.each(notifications.map((n) => [n.kind, n] as const))('renders %s as well-formed Block Kit with every value escaped', (_kind, notification) => {
    // Act
    const message = slackMessage(notification, API_URL);

    // Assess
    expectWellFormedBlockKit(message);
    expect(JSON.stringify(message)).toContain('ci &lt;bot&gt; &amp; co');
  });

  it('falls back to the CLI commands when an approval request has no links', () => {
    // Act
    const message = slackMessage(notifications[4]!, API_URL);

    // Assess
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(JSON.stringify(message)).toContain('fledge approve d-1');
  });

  it('reads back only fledge notifications from the SNS attribute', () => {
    // Act + Assess
    expect(parsePublishedNotification(JSON.stringify(notifications[0]))).toMatchObject({ kind: 'rolledBack' });
    expect(parsePublishedNotification('{"kind":"somethingElse"}')).toBeUndefined();
    expect(parsePublishedNotification('not json')).toBeUndefined();
    expect(parsePublishedNotification(undefined)).toBeUndefined();
  });
});
