import type { EngineDeps } from './deps';
import { ProvisionedConcurrencyError } from '../../model/engine-errors';
import { event } from './events';
import type { DeploymentRecord, EngineState, ProvisionedPlan } from '../../model/deployment';
import { LIMITS } from '../../model/spec-limits';

/*
 * Provisioned-concurrency-aware shifting (docs/engine.md#provisioned-concurrency). Lambda lets PC
 * live on a version or on an alias, never both for one version, and never changed on an alias while
 * it has weights; an alias's PC is split by Lambda between its versions by weight, and allocated
 * only once the weight has moved. So fledge manages PC on VERSIONS: before a weight moves it puts
 * on the new version its share of the total, waits until that is READY, and only then moves the
 * weight; at promotion the old version's PC goes, at rollback the new version's — never leaving
 * PC on a version no alias routes to.
 */

/**
 * The PC the new version needs to serve `percent` of the traffic when the stable version serves
 * all of it with `total`: its share, rounded up (a canary of 1% with 10 PC still gets one warm
 * environment), never more than `total`; none at 0%.
 */
export function provisionedFor(total: number, percent: number): number {
  if (percent <= 0 || total <= 0) return 0;
  if (percent >= 100) return total;
  return Math.min(total, Math.max(1, Math.ceil((total * percent) / 100 - 1e-9)));
}

/**
 * Decides, once per deployment, whether and how much PC fledge manages: the spec's amount; with
 * `auto` (or no field) the PC the alias's version has of its own; none with `off`, on a first
 * deployment, or when the alias's PC is on the alias itself (Lambda splits that one by weight:
 * fledge cannot manage it while weights are in place — a spec amount is then refused).
 */
export async function planProvisioned(deps: Pick<EngineDeps, 'lambda'>, state: EngineState, record: DeploymentRecord): Promise<ProvisionedPlan> {
  const setting = state.spec.provisionedConcurrency ?? 'auto';
  const stable = record.snapshot?.alias?.version;
  if (setting === 'off' || stable === undefined) return { total: 0 };
  const onAlias = await deps.lambda.getProvisionedConcurrency(record.functionName, record.alias);
  if (onAlias) {
    if (typeof setting === 'number') {
      throw new ProvisionedConcurrencyError(
        `alias ${record.functionName}:${record.alias} has provisioned concurrency (${onAlias.requested}) on the alias itself: Lambda splits it between the versions by weight and refuses any change while the alias has weights, so fledge cannot give version ${record.newVersion ?? '?'} its own (provisionedConcurrency: ${setting}). Move the PC to the version, or set provisionedConcurrency: auto`,
      );
    }
    return { total: 0, onAlias: onAlias.requested };
  }
  if (typeof setting === 'number') return { total: setting };
  const onVersion = await deps.lambda.getProvisionedConcurrency(record.functionName, stable);
  return { total: onVersion?.requested ?? 0 };
}

/** What {@link warmFor} found: PC for the weight is READY (or not needed), or still being allocated. */
export type Warmth = { readonly kind: 'ready'; readonly plan: ProvisionedPlan } | { readonly kind: 'waiting'; readonly plan: ProvisionedPlan; readonly nextPollAt: string };

/**
 * Before the weight on the new version moves to `percent`: puts its share of the PC on it (a
 * retry puts the same amount again, which Lambda takes as it is) and reads the allocation. READY
 * lets the weight move; IN_PROGRESS waits (the state machine's WarmUp state) until the spec's
 * limit or the deployment's deadline; FAILED, a refusal, or the limit ends in rollback.
 */
export async function warmFor(deps: Pick<EngineDeps, 'lambda' | 'store' | 'clock'>, state: EngineState, record: DeploymentRecord, version: string, percent: number): Promise<Warmth> {
  const plan = state.provisioned ?? (await planProvisioned(deps, state, record));
  const amount = provisionedFor(plan.total, percent);
  const settled: ProvisionedPlan = { total: plan.total, ...(plan.onAlias === undefined ? {} : { onAlias: plan.onAlias }) };
  if (amount === 0) return { kind: 'ready', plan: settled };
  const { lambda, clock } = deps;
  // Recorded before any PC is put, so every restore path knows to remove it (restoreAlias).
  if (record.provisionedConcurrency === undefined) await deps.store.updateDeployment(record.deploymentId, { provisionedConcurrency: plan.total });
  let current = await lambda.getProvisionedConcurrency(record.functionName, version);
  if (!current || current.requested < amount) {
    current = await lambda.putProvisionedConcurrency(record.functionName, version, amount);
    await deps.store.appendEvent(event(record.deploymentId, `pc:${version}:${amount}`, 'provisionedConcurrency', clock.now(), `provisioned concurrency ${amount} put on version ${version} for ${percent}% of the traffic`, { version, amount, percent }));
  }
  if (current.status === 'FAILED') {
    throw new ProvisionedConcurrencyError(`provisioned concurrency ${amount} on version ${version} FAILED${current.statusReason ? `: ${current.statusReason}` : ''}; the weight stays at ${state.weight ?? 0}%`);
  }
  const since = plan.waitingSince ?? clock.now();
  if (current.status === 'READY' && current.allocated >= amount) return { kind: 'ready', plan: settled };
  const limit = since + LIMITS.provisionedConcurrencyReadyTimeout * 1000;
  const now = clock.now();
  if (now >= limit) {
    throw new ProvisionedConcurrencyError(
      `provisioned concurrency ${amount} on version ${version} was still ${current.status} after ${LIMITS.provisionedConcurrencyReadyTimeout / 60} minutes; the weight stays at ${state.weight ?? 0}%`,
    );
  }
  const deadline = state.deadline ?? record.deadline;
  const next = Math.min(now + LIMITS.provisionedConcurrencyPollInterval * 1000, limit, deadline ?? Number.POSITIVE_INFINITY);
  return { kind: 'waiting', plan: { ...settled, waitingSince: since, nextPollAt: new Date(Math.ceil(next)).toISOString() }, nextPollAt: new Date(Math.ceil(next)).toISOString() };
}

/**
 * Removes the PC of `version` unless an alias of the function routes to it: after a rollback the
 * new version's, after a promotion the old one's. Safe to repeat (absent is fine).
 */
export async function releaseUnused(deps: Pick<EngineDeps, 'lambda'>, functionName: string, version: string | undefined): Promise<boolean> {
  if (version === undefined || !/^\d+$/.test(version)) return false;
  const { lambda } = deps;
  if (!(await lambda.getProvisionedConcurrency(functionName, version))) return false;
  const aliases = await lambda.listAliases(functionName);
  if (aliases.some((alias) => alias.version === version || (alias.weights[version] ?? 0) > 0)) return false;
  await lambda.deleteProvisionedConcurrency(functionName, version);
  return true;
}
