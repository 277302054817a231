import type { DeploymentRecord } from '../../../model/deployment';
import { isTerminal } from '../../../model/deployment';
import type { VersionTraffic } from '../../../ports/version-traffic';

/** The most periods one answer holds: a longer deployment is read in longer periods. */
export const MAX_PERIODS = 360;

/**
 * Each version's invocations, errors, error rate and latency (p50, p99) through the alias, per
 * period of the deployment's check interval (at least a minute: CloudWatch's resolution), from
 * the start of the deployment to its end (or now) — one GetMetricData for both versions.
 */
export async function versionTraffic(health: VersionTraffic, record: DeploymentRecord, now: number) {
  const previous = record.snapshot?.alias?.version;
  const versions = [previous, record.newVersion].filter((v, i, all): v is string => v !== undefined && all.indexOf(v) === i);
  const from = record.startedAt ?? record.createdAt;
  const to = isTerminal(record.status) ? (record.endedAt ?? record.updatedAt) : now;
  const checkInterval = record.spec?.health?.checkInterval ?? 60;
  let periodSeconds = Math.max(60, Math.ceil(checkInterval / 60) * 60);
  while ((to - from) / 1000 / periodSeconds > MAX_PERIODS) periodSeconds *= 2;
  const periods = versions.length === 0 ? [] : await health.versionSeries({ functionName: record.functionName, alias: record.alias, versions, from, to, periodSeconds });
  return {
    deploymentId: record.deploymentId,
    periodSeconds,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    versions: versions.map((version) => ({
      version,
      role: version === record.newVersion ? 'new' : 'previous',
      periods: periods
        .filter((p) => p.version === version)
        .map((p) => ({
          start: new Date(p.start).toISOString(),
          invocations: p.invocations,
          errors: p.errors,
          errorRatePercent: p.invocations > 0 ? Math.round((p.errors / p.invocations) * 10_000) / 100 : null,
          p50Ms: p.p50 === undefined ? null : Math.round(p.p50 * 10) / 10,
          p99Ms: p.p99 === undefined ? null : Math.round(p.p99 * 10) / 10,
        })),
    })),
  };
}
