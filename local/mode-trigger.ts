import { PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { handler as s3TriggerHandler } from '../functions/s3-trigger';
import { localFunctionName } from '../shared/domain/own-functions';
import { DROP_PREFIX } from '../shared/domain/starter/s3-drop';
import { keepFailedEvents, type LocalControlPlane } from './fledge-on-local';
import type { LocalAws } from '@fledge-local/embedded-aws';

/** Name of the S3 drop's function in local mode (`fledge-s3-trigger`). */
export const S3_TRIGGER_FUNCTION = localFunctionName('s3Trigger');

/**
 * The S3 drop of the stack, locally: the trigger function (in process, the same handler as the
 * Lambda, built on the control plane's composition by the same factories) and the bucket notification that invokes it for every object created under
 * `deployments/`. Idempotent: the configuration is put again, unchanged, on every start.
 */
export async function provisionS3Drop(aws: LocalAws, plane: LocalControlPlane): Promise<void> {
  const s3 = plane.clients.s3;
  aws.services.lambda.registerInProcessFunction({
    functionName: S3_TRIGGER_FUNCTION,
    handler: s3TriggerHandler.builtOn(plane.composition),
    // Lambda's maximum: locally the timeout runs on the compressed clock (see fledge-on-local.ts).
    timeout: 900,
  });
  await keepFailedEvents(plane.clients.lambda, S3_TRIGGER_FUNCTION, plane.failedEventsTopicArn);
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: plane.bucket,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Id: 'fledge-s3-drop',
            LambdaFunctionArn: `arn:aws:lambda:${aws.region}:000000000000:function:${S3_TRIGGER_FUNCTION}`,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: DROP_PREFIX }] } },
          },
        ],
      },
    }),
  );
}
