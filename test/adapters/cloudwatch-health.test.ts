import { CloudWatchClient, CloudWatchServiceException, DeleteAlarmsCommand, DescribeAlarmsCommand, GetMetricDataCommand, InternalServiceFault, LimitExceededFault, PutMetricAlarmCommand, ResourceNotFound } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchHealthAdapter } from '../../shared/adapters/cloudwatch-health';
import { AwsCallFailedError, TransientAwsError } from '../../shared/model/engine-errors';
import { serviceError } from './sdk-errors';

// CloudWatch's answers translated at the adapter boundary, on a mocked client.

const client = new CloudWatchClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const cloudwatch = mockClient(client);
const health = new CloudWatchHealthAdapter(client);
const alarm = { alarmName: 'fledge-dev-fn-live-v2-errors', description: 'd', functionName: 'fn', alias: 'live', version: '2', thresholdPercent: 5, periodSeconds: 60, minInvocations: 10 };

afterEach(() => {
  cloudwatch.reset();
});

describe('the CloudWatch health adapter', () => {
  it('treats deleting alarms that are gone already as done', async () => {
    // Prepare
    cloudwatch.on(DeleteAlarmsCommand).rejects(serviceError(ResourceNotFound, 'ResourceNotFound', 404));

    // Act / Assess
    await expect(health.deleteAlarms(['fledge-dev-fn-live-v2-errors'])).resolves.toBeUndefined();
  });

  it.each([
    ['a throttle', 'transient', serviceError(CloudWatchServiceException, 'Throttling', 400), TransientAwsError],
    ['an internal fault', 'transient', serviceError(InternalServiceFault, 'InternalServiceFault', 500), TransientAwsError],
    ['access denied', 'a failed call, not retried', serviceError(CloudWatchServiceException, 'AccessDenied', 403), AwsCallFailedError],
  ])('reads %s on the alarm and metric reads as %s', async (_what, _as, error, expected) => {
    // Prepare
    cloudwatch.on(DescribeAlarmsCommand).rejects(error);
    cloudwatch.on(GetMetricDataCommand).rejects(error);

    // Act / Assess
    await expect(health.describeAlarms(['a'])).rejects.toBeInstanceOf(expected);
    await expect(health.versionMetrics({ functionName: 'fn', alias: 'live', version: '2', from: 0, to: 60_000 })).rejects.toBeInstanceOf(expected);
  });

  it('reads a full alarm quota as a failed call, not one to retry', async () => {
    // Prepare: LimitExceeded(Fault) is CloudWatch's quota on alarms, not a throttle.
    cloudwatch.on(PutMetricAlarmCommand).rejects(serviceError(LimitExceededFault, 'LimitExceededFault', 400, 'The maximum number of alarms has been reached'));

    // Act
    const failure = await health.ensureVersionAlarm(alarm).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(AwsCallFailedError);
    expect((failure as Error).message).toBe('PutMetricAlarm fledge-dev-fn-live-v2-errors: LimitExceededFault: The maximum number of alarms has been reached');
  });
});
