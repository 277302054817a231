import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { VersionPeriod, VersionSeriesQuery, VersionTraffic } from '../ports/version-traffic';
import { translate } from './aws-errors';
import { versionDimensions } from './cloudwatch-health';

const MINUTE = 60_000;

/** {@link VersionTraffic} over CloudWatch's GetMetricData (read only). */
export class CloudWatchTrafficAdapter implements VersionTraffic {
  constructor(private readonly client: CloudWatchClient) {}

  async versionSeries(q: VersionSeriesQuery): Promise<readonly VersionPeriod[]> {
    const start = Math.floor(q.from / MINUTE) * MINUTE;
    const end = Math.max(start + MINUTE, (Math.floor(q.to / MINUTE) + 1) * MINUTE);
    const stats = [['invocations', 'Invocations', 'Sum'], ['errors', 'Errors', 'Sum'], ['p50', 'Duration', 'p50'], ['p99', 'Duration', 'p99']] as const;
    const versions = q.versions.slice(0, 2);
    const queries = versions.flatMap((version, v) =>
      stats.map(([id, metricName, stat]) => ({ Id: `v${v}${id}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: versionDimensions(q.functionName, q.alias, version) }, Period: q.periodSeconds, Stat: stat }, ReturnData: true })),
    );
    const periods = new Map<string, { version: string; start: number; invocations: number; errors: number; p50?: number; p99?: number }>();
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(start), EndTime: new Date(end), ...(token ? { NextToken: token } : {}) }));
        for (const result of out.MetricDataResults ?? []) {
          const match = /^v(\d)(invocations|errors|p50|p99)$/.exec(result.Id ?? '');
          const version = match ? versions[Number(match[1])] : undefined;
          if (!match || version === undefined) continue;
          const field = match[2] as 'invocations' | 'errors' | 'p50' | 'p99';
          (result.Values ?? []).forEach((value, i) => {
            const at = result.Timestamps?.[i];
            if (at === undefined || !Number.isFinite(value)) return;
            const key = `${version}@${at.getTime()}`;
            const period = periods.get(key) ?? { version, start: at.getTime(), invocations: 0, errors: 0 };
            period[field] = value;
            periods.set(key, period);
          });
        }
        token = out.NextToken;
      } while (token);
    } catch (error) {
      throw translate(error, `GetMetricData traffic of ${q.functionName}:${q.alias} versions ${versions.join(', ')}`);
    }
    return [...periods.values()].filter((p) => p.invocations > 0).sort((a, b) => a.start - b.start || a.version.localeCompare(b.version));
  }
}
