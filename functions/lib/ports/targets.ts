import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import { CloudWatchHealthAdapter } from '../../../shared/adapters/cloudwatch-health';
import { LambdaRegistryAdapter } from '../../../shared/adapters/lambda-registry';
import { StsTargetAccess } from '../../../shared/adapters/sts-targets';
import { factory, type PortFactory } from '../composition';

/** The targets of a wave run: their roles assumed through STS, their Lambda and CloudWatch with those credentials in their region. */
export const targetsPort: PortFactory<'targets'> = /* @__PURE__ */ factory([], (c) =>
  new StsTargetAccess(c.client(STSClient), (region, credentials) => ({
    lambda: new LambdaRegistryAdapter(c.clientWith(LambdaClient, { region, credentials }), c.clock),
    health: new CloudWatchHealthAdapter(c.clientWith(CloudWatchClient, { region, credentials })),
  })),
);
