import type { EngineDeps } from './deps';
import { bypassingCallers, describeBypass, type CallerAudit } from '../../model/callers';
import type { DeploymentSpec } from '../../model/spec';

/**
 * How many of the newest versions' policies the audit reads: a permission is granted on one
 * qualifier, so each version is one GetPolicy call; older versions rarely carry one.
 */
export const AUDITED_VERSIONS = 50;

/** Lists who invokes the spec's function and which of them bypass the alias. */
export async function auditCallers(deps: Pick<EngineDeps, 'callers'>, spec: Pick<DeploymentSpec, 'function'>): Promise<CallerAudit> {
  const { callers, versionsNotChecked } = await deps.callers.listCallers(spec.function.name, { maxVersions: AUDITED_VERSIONS });
  return { callers, bypassing: bypassingCallers(callers), versionsNotChecked };
}

/**
 * Why `callers: strict` refuses this deployment, naming every caller that bypasses the alias;
 * `undefined` when none does or the spec only warns.
 */
export function callersRefusal(audit: CallerAudit, spec: Pick<DeploymentSpec, 'function' | 'alias' | 'callers'>): string | undefined {
  if (spec.callers !== 'strict' || audit.bypassing.length === 0) return undefined;
  const name = spec.function.name;
  return (
    `callers: strict: ${audit.bypassing.length === 1 ? 'a caller bypasses' : `${audit.bypassing.length} callers bypass`} alias ${name}:${spec.alias}, so the canary would not see their traffic: ` +
    `${audit.bypassing.map((bypass) => describeBypass(bypass, name, spec.alias)).join('; ')}. ` +
    `Point ${audit.bypassing.length === 1 ? 'it' : 'them'} at the alias (${name}:${spec.alias}), or set callers: warn. Nothing was changed`
  );
}

/** The history line of `callers: warn`: who bypasses the alias. */
export function callersWarning(audit: CallerAudit, spec: Pick<DeploymentSpec, 'function' | 'alias'>): string {
  const name = spec.function.name;
  return `${audit.bypassing.length === 1 ? 'a caller bypasses' : `${audit.bypassing.length} callers bypass`} alias ${name}:${spec.alias} and will not see the canary: ${audit.bypassing.map((bypass) => describeBypass(bypass, name, spec.alias)).join('; ')}`;
}
