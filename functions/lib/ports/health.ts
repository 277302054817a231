import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchHealthAdapter } from '../../../shared/adapters/cloudwatch-health';
import type { PortFactory } from '../composition';

/** CloudWatch: alarms and metrics. */
export const healthPort: PortFactory<'health'> = (c) => new CloudWatchHealthAdapter(c.client(CloudWatchClient));
