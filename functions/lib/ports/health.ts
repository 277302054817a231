import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchHealthAdapter } from '../../../shared/adapters/cloudwatch-health';
import { factory, type PortFactory } from '../composition';

/** CloudWatch: alarms and metrics. */
export const healthPort: PortFactory<'health'> = /* @__PURE__ */ factory([], (c) => new CloudWatchHealthAdapter(c.client(CloudWatchClient)));
