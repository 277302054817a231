import { defaultMinInvocations, insufficientDataPolicy } from './evidence';
import type { ArtifactSpec, DeploymentSpec, FunctionConfigurationSpec, GroupMemberSpec, GroupSpec, HealthSpec, StrategySpec, TrafficStep } from '../../model/spec';
import { parseFunctionRef, parseZipLocation } from './names';
import { resolvePreset } from './presets';
import { normaliseSignals } from './signals';
import { LIMITS, type WrittenSpec } from './schema';
import { normaliseWebhooks } from './webhooks';
import { normaliseTargets } from './targets';

/**
 * Turns a spec that passed the schema into the normalised `DeploymentSpec`: presets resolved,
 * defaults filled in, approval steps given the spec's approval defaults.
 */
export function normalise(written: WrittenSpec): DeploymentSpec {
  const approval = {
    timeout: written.approval?.timeout ?? LIMITS.defaultApprovalTimeout,
    ...(written.approval?.message !== undefined && { message: written.approval.message }),
  };
  const strategySpec = strategy(written.strategy, approval);
  const webhooks = normaliseWebhooks(written.webhooks);
  return {
    version: 1,
    function: must(parseFunctionRef(written.function)),
    alias: written.alias,
    artifact: artifact(written.artifact),
    ...(written.configuration !== undefined && { configuration: configuration(written.configuration) }),
    strategy: strategySpec,
    health: health(written.health, strategySpec),
    hooks: {
      ...(written.hooks?.beforeTraffic !== undefined && { beforeTraffic: written.hooks.beforeTraffic }),
      ...(written.hooks?.afterTraffic !== undefined && { afterTraffic: written.hooks.afterTraffic }),
    },
    ...(webhooks !== undefined && { webhooks }),
    approval,
    timeout: written.timeout ?? LIMITS.defaultDeploymentTimeout,
    ...(written.finalBake !== undefined && { finalBake: written.finalBake }),
    ...(written.cleanup !== undefined && { cleanup: { keepVersions: written.cleanup.keepVersions, undoWindow: written.cleanup.undoWindow ?? LIMITS.defaultUndoWindow } }),
    ...(written.source?.github !== undefined && {
      source: { github: { repository: written.source.github.repository, ref: written.source.github.ref, ...(written.source.github.environment !== undefined && { environment: written.source.github.environment }) } },
    }),
    ...(written.callers !== undefined && { callers: written.callers }),
    ...(written.readiness !== undefined && { readiness: { timeout: written.readiness.timeout } }),
    ...(written.provisionedConcurrency !== undefined && { provisionedConcurrency: written.provisionedConcurrency }),
    ...(written.group !== undefined && { group: group(written) }),
    // `reject` is what a spec without the field does: left out, so such a spec reads as before.
    ...(written.onConflict !== undefined && written.onConflict !== 'reject' && { onConflict: written.onConflict }),
    ...(written.targets !== undefined && { targets: normaliseTargets(written.targets), rollbackPromotedWaves: written.rollbackPromotedWaves ?? true }),
  };
}

/** The group, its members in order, the spec's own function first. */
function group(written: WrittenSpec): GroupSpec {
  const member = (m: GroupMember): GroupMemberSpec => ({
    function: must(parseFunctionRef(m.function)),
    alias: m.alias,
    artifact: artifact(m.artifact),
    ...(m.configuration !== undefined && { configuration: configuration(m.configuration) }),
  });
  const own = member({ function: written.function, alias: written.alias, artifact: written.artifact, ...(written.configuration !== undefined && { configuration: written.configuration }) });
  return { shift: written.group?.shift ?? 'lockstep', members: [own, ...(written.group?.members ?? []).map(member)] };
}

type GroupMember = Pick<WrittenSpec, 'function' | 'alias' | 'artifact' | 'configuration'>;

function artifact(written: WrittenSpec['artifact']): ArtifactSpec {
  if (written.image !== undefined) return { kind: 'image', imageUri: written.image };
  if (written.version !== undefined) return { kind: 'published', version: String(written.version) };
  if (written.fromLatest === true) return { kind: 'fromLatest' };
  const location = must(parseZipLocation(written.zip ?? ''));
  return {
    kind: 'zip',
    ...(location.bucket !== undefined && { bucket: location.bucket }),
    key: location.key,
    ...(written.objectVersion !== undefined && { versionId: written.objectVersion }),
  };
}

function configuration(written: NonNullable<WrittenSpec['configuration']>): FunctionConfigurationSpec {
  // Only the fields the user wrote: an absent field leaves the function's current setting alone.
  return Object.fromEntries(Object.entries(written).filter(([, value]) => value !== undefined)) as FunctionConfigurationSpec;
}

function strategy(written: WrittenSpec['strategy'], approval: { timeout: number; message?: string }): StrategySpec {
  if (written.preset !== undefined) {
    const preset = resolvePreset(written.preset);
    if (preset === undefined) throw new Error(`unreachable: preset "${written.preset}" passed the schema but does not resolve`);
    return preset;
  }
  if (written.linear !== undefined) return { kind: 'linear', percent: written.linear.percent, interval: written.linear.interval };
  if (written.blueGreen !== undefined) return { kind: 'blueGreen' };
  if (written.canary !== undefined) {
    const steps = written.canary.steps.map((step): TrafficStep => {
      if (step.setWeight !== undefined) return { type: 'setWeight', percent: step.setWeight };
      if (step.pause !== undefined) return { type: 'pause', duration: step.pause };
      const message = step.approval?.message ?? approval.message;
      return { type: 'approval', timeout: step.approval?.timeout ?? approval.timeout, ...(message !== undefined && { message }) };
    });
    return { kind: 'canary', steps };
  }
  return { kind: 'allAtOnce' };
}

function health(written: WrittenSpec['health'], strategySpec: StrategySpec): HealthSpec {
  const smoke = written?.smokeTest;
  const errorRate =
    written?.errorRate === undefined ? undefined : { thresholdPercent: written.errorRate.threshold, minInvocations: written.errorRate.minInvocations ?? LIMITS.defaultMinInvocations };
  return {
    alarms: written?.alarms ?? [],
    ...(errorRate !== undefined && { errorRate }),
    checkInterval: written?.checkInterval ?? LIMITS.defaultCheckInterval,
    ...(written?.armedCheckInterval !== undefined && { armedCheckInterval: written.armedCheckInterval }),
    ...(smoke !== undefined && {
      smokeTest: {
        payload: smoke.payload ?? {},
        ...(smoke.expect !== undefined && {
          expect: Object.hasOwn(smoke.expect, 'exact')
            ? { match: 'exact' as const, value: smoke.expect.exact }
            : { match: 'subset' as const, value: smoke.expect.subset },
        }),
      },
    }),
    minInvocations: written?.minInvocations ?? defaultMinInvocations(errorRate),
    onInsufficientData: insufficientDataPolicy(written ?? {}, strategySpec),
    ...normaliseSignals(written),
  };
}

function must<T>(result: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!result.ok) throw new Error(`unreachable: a value that passed the schema fails its naming rule: ${result.message}`);
  return result.value;
}
