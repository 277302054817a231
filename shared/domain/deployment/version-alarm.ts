import { createHash } from 'node:crypto';
import type { VersionAlarmDefinition } from '../../ports/health-signals';
import type { DeploymentSpec } from '../../model/spec';
import { InvalidTaskInputError } from '../../model/engine-errors';

/** CloudWatch's limit on alarm names. */
export const MAX_ALARM_NAME_LENGTH = 255;

/** A fledge stage name: what `serverless.yml` calls the stage (`dev`, `prod`), `local` in local mode. */
export const STAGE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

// Every part of an alarm name is drawn from [A-Za-z0-9_-]: "." cannot occur inside one, so
// joining them with "." can be read back unambiguously ("a-x" + "z" ≠ "a" + "x-z").
const PART = /^[A-Za-z0-9_-]+$/;
const VERSION = /^[0-9]+$/;
const HASH_LENGTH = 64;

/**
 * The name of fledge's alarm on one version of a function behind one alias, in one fledge stage:
 * `fledge-<stage>.<function>.<alias>.v<version>`, e.g. `fledge-prod.orders-api.live.v8`.
 *
 * Injective over every legal stage, function name, alias name (letters, digits, `-`, `_`) and
 * version number: no part can contain the separator, the first part follows a fixed prefix and
 * the last begins with `v`, so two deployments — of two aliases, two functions or two fledge
 * stages in one account — never share (and never delete) each other's alarm. A name longer than
 * CloudWatch's 255 characters keeps a readable 189-character prefix and ends in `.h` + the
 * SHA-256 of the full name: it cannot equal an unhashed name (whose last part begins with `v`),
 * and two hashed names are equal only if their full names are.
 *
 * The prefix `fledge-` is what the engine's IAM policies allow (`alarm:fledge-*`). Names of
 * earlier releases (`fledge-<function>-<alias>-v<version>`) stay valid for deployments that
 * recorded them: a deployment deletes the alarm name stored in its record, never a recomputed one.
 */
export function versionAlarmName(stage: string, functionName: string, alias: string, version: string): string {
  if (!STAGE_NAME.test(stage)) throw new InvalidTaskInputError(`fledge's stage "${stage}" is not a stage name (1-64 letters, digits, "-" or "_")`);
  for (const [what, value] of [['function name', functionName], ['alias', alias]] as const) {
    if (!PART.test(value)) throw new InvalidTaskInputError(`the ${what} "${value}" cannot name a version alarm: only letters, digits, "-" and "_" are allowed`);
  }
  if (!VERSION.test(version)) throw new InvalidTaskInputError(`"${version}" is not a published version number`);
  const full = `fledge-${stage}.${functionName}.${alias}.v${version}`;
  if (full.length <= MAX_ALARM_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex');
  return `${full.slice(0, MAX_ALARM_NAME_LENGTH - HASH_LENGTH - 2)}.h${hash}`;
}

/**
 * The alarm that judges the new version only: its error rate on the `ExecutedVersion`
 * dimension of invocations through the alias, so a function-wide alarm that is already red
 * (the bug this version fixes) does not block the deployment.
 */
export function versionAlarm(spec: DeploymentSpec, version: string, errorRate: { thresholdPercent: number; minInvocations: number }, stage: string): VersionAlarmDefinition {
  return {
    alarmName: versionAlarmName(stage, spec.function.name, spec.alias, version),
    functionName: spec.function.name,
    alias: spec.alias,
    version,
    thresholdPercent: errorRate.thresholdPercent,
    minInvocations: errorRate.minInvocations,
    periodSeconds: 60,
    description: `fledge (stage ${stage}): error rate of ${spec.function.name} version ${version} through alias ${spec.alias} above ${errorRate.thresholdPercent}% (at least ${errorRate.minInvocations} invocations). Deleted when the deployment ends.`,
  };
}
