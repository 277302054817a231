import { AuthorizationErrorException, InternalErrorException, NotFoundException, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../shared/adapters/sns-notifier';
import { AwsCallFailedError, TransientAwsError } from '../../shared/model/engine-errors';
import type { DeploymentNotification } from '../../shared/model/notification';
import { serviceError } from './sdk-errors';

// SNS's answers translated at the adapter boundary, on a mocked client.

const client = new SNSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const sns = mockClient(client);
const topic = 'arn:aws:sns:eu-west-1:123456789012:fledge-notifications';
const notifier = new SnsNotifier(client, { notifications: topic });
const rolledBack = { kind: 'rolledBack', deploymentId: 'dep-1', functionName: 'fn', alias: 'live', startedBy: 'ci', reason: 'alarm a is in ALARM', previousVersion: '1', newVersion: '2' } as DeploymentNotification;

afterEach(() => {
  sns.reset();
});

describe('the SNS notifier', () => {
  it.each([
    ['a throttle', 'transient', serviceError(ThrottledException, 'ThrottledException', 400), TransientAwsError],
    ['an internal error', 'transient', serviceError(InternalErrorException, 'InternalErrorException', 500), TransientAwsError],
    ['a missing topic', 'a failed call, not retried', serviceError(NotFoundException, 'NotFoundException', 404), AwsCallFailedError],
    ['a denied publish', 'a failed call, not retried', serviceError(AuthorizationErrorException, 'AuthorizationErrorException', 403), AwsCallFailedError],
  ])('reads %s as %s, naming the topic', async (_what, _as, error, expected) => {
    // Prepare
    sns.on(PublishCommand).rejects(error);

    // Act
    const failure = await notifier.notify(rolledBack).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(expected);
    expect((failure as Error).message).toMatch(new RegExp(`^Publish to ${topic}: `));
  });
});
