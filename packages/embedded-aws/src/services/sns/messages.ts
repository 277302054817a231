import type { Subscription } from './store';

/** A published message on its way to the subscriptions of a topic. */
export interface Notification {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  /** The message every protocol gets, or the `default` one with MessageStructure=json. */
  readonly message: string;
  /** With MessageStructure=json: the message for each protocol that has its own. */
  readonly perProtocol?: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, { readonly Type: string; readonly Value: string }>>;
  /** Simulated publish time, ISO 8601 with milliseconds, as SNS stamps it. */
  readonly timestamp: string;
}

/** Links SNS puts in its messages; here they point at the embedded AWS. */
export interface Links {
  readonly unsubscribeUrl: string;
  readonly signingCertUrl: string;
}

/**
 * SNS signs every message with a certificate under its own domain. The embedded SNS cannot, so
 * the signature is this fixed placeholder ("FLEDGE-LOCAL-UNSIGNED"): a subscriber that verifies
 * signatures must skip verification in local mode.
 */
export const PLACEHOLDER_SIGNATURE = Buffer.from('FLEDGE-LOCAL-UNSIGNED').toString('base64');

/** The message a subscription of this protocol receives. */
export function messageFor(notification: Notification, protocol: string): string {
  return notification.perProtocol?.[protocol] ?? notification.message;
}

/** The JSON document POSTed to http/https endpoints (and mailed to email-json ones). */
export function notificationEnvelope(notification: Notification, subscription: Subscription, links: Links): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: notification.messageId,
    TopicArn: notification.topicArn,
    ...(notification.subject !== undefined && { Subject: notification.subject }),
    Message: messageFor(notification, subscription.protocol),
    Timestamp: notification.timestamp,
    SignatureVersion: '1',
    Signature: PLACEHOLDER_SIGNATURE,
    SigningCertURL: links.signingCertUrl,
    UnsubscribeURL: links.unsubscribeUrl,
    ...(Object.keys(notification.messageAttributes).length > 0 && { MessageAttributes: notification.messageAttributes }),
  };
}

/** The `SubscriptionConfirmation` document SNS POSTs to a new http/https subscription. */
export function confirmationEnvelope(subscription: Subscription, messageId: string, timestamp: string, subscribeUrl: string, links: Links): Record<string, unknown> {
  return {
    Type: 'SubscriptionConfirmation',
    MessageId: messageId,
    Token: subscription.token,
    TopicArn: subscription.topicArn,
    Message: `You have chosen to subscribe to the topic ${subscription.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: subscribeUrl,
    Timestamp: timestamp,
    SignatureVersion: '1',
    Signature: PLACEHOLDER_SIGNATURE,
    SigningCertURL: links.signingCertUrl,
  };
}

/** The event a Lambda function subscribed to a topic is invoked with. */
export function lambdaEvent(notification: Notification, subscription: Subscription, links: Links): Record<string, unknown> {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscription.arn,
        Sns: {
          Type: 'Notification',
          MessageId: notification.messageId,
          TopicArn: notification.topicArn,
          Subject: notification.subject ?? null,
          Message: messageFor(notification, 'lambda'),
          Timestamp: notification.timestamp,
          SignatureVersion: '1',
          Signature: PLACEHOLDER_SIGNATURE,
          SigningCertUrl: links.signingCertUrl,
          UnsubscribeUrl: links.unsubscribeUrl,
          MessageAttributes: notification.messageAttributes,
        },
      },
    ],
  };
}

/** Subject and body of the email an `email` subscription receives, with SNS's footer. */
export function emailFor(notification: Notification, subscription: Subscription, links: Links): { subject: string; body: string } {
  const subject = notification.subject ?? 'AWS Notification Message';
  if (subscription.protocol === 'email-json') return { subject, body: JSON.stringify(notificationEnvelope(notification, subscription, links)) };
  const footer = `\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${links.unsubscribeUrl}\n`;
  return { subject, body: `${messageFor(notification, 'email')}${footer}` };
}
