import { describe, expect, it } from 'vitest';
import { DEFAULT_EMAIL_EVENTS } from '../../../shared/model/notification';
import { TOPICS } from '../support/expected-arns';
import { render, resourcesOfType } from '../support/template';
import type { StackContext } from '../support/context';

/** Topics, subscriptions and the approval-signing key. */
export function notificationChecks(ctx: StackContext): void {
  describe('notifications and secrets', () => {
    it('encrypts both topics, denies publishing without TLS, and subscribes e-mail only when an address is given', () => {
      // Act
      const subscriptions = resourcesOfType(ctx.template, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties?.Protocol === 'email');
      const policy = resourcesOfType(ctx.template, 'AWS::SNS::TopicPolicy')[0]?.[1];

      // Assess
      for (const id of ['ApprovalTopic', 'NotificationTopic']) expect(ctx.resource(id).Properties!.KmsMasterKeyId, id).toBe('alias/aws/sns');
      expect((policy!.Properties!.Topics as unknown[]).map(render).sort()).toEqual(TOPICS);
      expect(JSON.stringify(policy!.Properties!.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      expect(subscriptions.map(([, s]) => render(s.Properties?.TopicArn)).sort()).toEqual(TOPICS);
      // Subscribed only with an address, and only when the e-mail filter lets any event through.
      for (const [id, s] of subscriptions) expect(s.Condition, id).toBe('MailsEvents');
      expect(ctx.template.Conditions?.MailsEvents).toEqual({ 'Fn::And': [{ Condition: 'HasApprovalEmail' }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'EmailEvents' }, 'none'] }] }] });
      // ApprovalEmail defaults to empty: the condition is false and nothing is subscribed.
      expect(ctx.template.Conditions?.HasApprovalEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ApprovalEmail' }, ''] }] });
      expect(ctx.template.Parameters?.ApprovalEmail?.Default).toBe('');
      // Local mode and the tests subscribe e-mail with the same default filter.
      expect(ctx.template.Parameters?.EmailEvents?.Default).toBe(DEFAULT_EMAIL_EVENTS);
      for (const [, s] of subscriptions) expect(s.Properties?.Endpoint).toEqual({ Ref: 'ApprovalEmail' });
    });

    it('generates the two signing keys in Secrets Manager: approval links, and webhook requests (the one people read)', () => {
      // Act
      const secrets = resourcesOfType(ctx.template, 'AWS::SecretsManager::Secret');

      // Assess
      expect(secrets.map(([id]) => id).sort()).toEqual(['ApprovalSigningSecret', 'WebhookSigningSecret']);
      for (const [, secret] of secrets) {
        expect(secret.Properties?.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
        expect(secret.Properties?.SecretString).toBeUndefined();
      }
    });
  });
}
