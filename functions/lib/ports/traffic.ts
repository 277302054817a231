import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchTrafficAdapter } from '../../../shared/adapters/cloudwatch-traffic';
import type { VersionTraffic } from '../../../shared/ports/version-traffic';
import { factory, type Factory } from '../composition';

/** CloudWatch, read only: each version's traffic per period (the API's `GET /deployments/{id}/traffic`). */
export const trafficPort: Factory<VersionTraffic> = /* @__PURE__ */ factory([], (c) => new CloudWatchTrafficAdapter(c.client(CloudWatchClient)));
