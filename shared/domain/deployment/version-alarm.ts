import type { VersionAlarmDefinition } from '../../ports/health-signals';
import type { DeploymentSpec } from '../spec/model';

/**
 * The alarm that judges the new version only: its error rate on the `ExecutedVersion`
 * dimension of invocations through the alias, so a function-wide alarm that is already red
 * (the bug this version fixes) does not block the deployment.
 */
export function versionAlarm(spec: DeploymentSpec, version: string, errorRate: { thresholdPercent: number; minInvocations: number }): VersionAlarmDefinition {
  const base = `fledge-${spec.function.name}-${spec.alias}-v${version}`;
  return {
    // CloudWatch alarm names are at most 255 characters.
    alarmName: base.slice(0, 255),
    functionName: spec.function.name,
    alias: spec.alias,
    version,
    thresholdPercent: errorRate.thresholdPercent,
    minInvocations: errorRate.minInvocations,
    periodSeconds: 60,
    description: `fledge: error rate of ${spec.function.name} version ${version} through alias ${spec.alias} above ${errorRate.thresholdPercent}% (at least ${errorRate.minInvocations} invocations). Deleted when the deployment ends.`,
  };
}
