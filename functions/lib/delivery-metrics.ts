import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace of fledge's own metrics (docs/deploy.md#operating). */
export const METRICS_NAMESPACE = 'fledge';

/** The metric counting notifications a channel could not deliver after its tries. */
export const NOTIFICATION_FAILURES = 'NotificationFailures';

/** Built at the first failure: a function whose channels all deliver never builds one. */
let metrics: Metrics | undefined;

/**
 * The kind of a channel, as the metric's `Channel` dimension: `sns`, `eventbridge`, `webhook`,
 * `github` — never a webhook's index or URL, so an alarm on one kind covers every hook of it.
 */
export function channelKind(channel: string): string {
  return (/^[a-z]+/i.exec(channel)?.[0] ?? 'other').toLowerCase();
}

/**
 * Counts one notification a channel gave up on — `NotificationFailures` (Count) in the `fledge`
 * namespace, dimensions `service`, `Stage` and `Channel` — written as one CloudWatch embedded
 * metric format line on stdout, so Lambda's log delivery makes it a metric without an API call
 * (and without the function's role needing `cloudwatch:PutMetricData`). The deployment itself
 * never waits for or fails on a channel; this is how an operator alarms on one that keeps failing.
 */
export function countNotificationFailure(stage: string, channel: string): void {
  try {
    metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'fledge' });
    const single = metrics.singleMetric();
    single.addDimensions({ Stage: stage, Channel: channelKind(channel) });
    single.addMetric(NOTIFICATION_FAILURES, MetricUnit.Count, 1);
  } catch {
    // Counting never changes what was delivered, nor how the deployment goes on.
  }
}
