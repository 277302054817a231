import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { findLocalMode, LocalModeNotRunningError } from '../../local/discovery';
import { LambdaCallersAdapter } from '../../shared/adapters/lambda-callers';
import { AUDITED_VERSIONS } from '../../shared/domain/deployment/callers';
import { bypassingCallers, bypassTarget, describeBypass, describeCaller, type CallerAudit } from '../../shared/model/callers';
import type { DeploymentSpec } from '../../shared/model/spec';
import { sanitise } from '../../shared/text/sanitise';
import type { Style } from '../format/style';
import { UsageError } from '../program';
import { EMULATOR_CREDENTIALS, endpointCredentials } from '../api-client';

/** Where `fledge plan --callers` reads the function's callers: `--local`, `--endpoint`, or AWS with the standard credentials. */
export interface CallerSourceOptions {
  readonly local?: boolean;
  readonly endpoint?: string;
  readonly region?: string;
}

/** The audit Prepare will make, made now against the account the spec's function lives in. */
export async function auditCallersForPlan(spec: DeploymentSpec, options: CallerSourceOptions): Promise<{ audit: CallerAudit; where: string }> {
  const { config, where } = await clientConfig(options, spec.function.region);
  const client = new LambdaClient(config);
  try {
    const { callers, versionsNotChecked } = await new LambdaCallersAdapter(client).listCallers(spec.function.name, { maxVersions: AUDITED_VERSIONS });
    return { audit: { callers, bypassing: bypassingCallers(callers), versionsNotChecked }, where };
  } finally {
    client.destroy();
  }
}

/** The audit as text, after the plan: every caller, the bypassing ones marked, and what `callers:` will do about them. */
export function formatCallerAudit(spec: DeploymentSpec, audit: CallerAudit, where: string, style: Style): string {
  const name = sanitise(spec.function.name);
  const alias = sanitise(spec.alias);
  const lines = [``, style.bold(`Callers of ${name} (read from ${sanitise(where)})`)];
  if (audit.callers.length === 0) lines.push(`  none: no event source mapping, permission or function URL`);
  for (const caller of audit.callers) {
    const target = bypassTarget(caller);
    lines.push(
      target === undefined
        ? `  ok      ${sanitise(describeCaller(caller))} (alias ${sanitise(caller.qualifier ?? '')})`
        : `  ${style.yellow('bypass')}  ${sanitise(describeBypass({ caller, target }, spec.function.name, spec.alias))}`,
    );
  }
  if (audit.versionsNotChecked > 0) lines.push(style.dim(`  the policies of ${audit.versionsNotChecked} older versions were not read (only the newest ${AUDITED_VERSIONS})`));
  if (audit.bypassing.length > 0) {
    lines.push(
      spec.callers === 'strict'
        ? style.red(`callers: strict: this deployment will be refused before anything changes; point these callers at ${name}:${alias}.`)
        : style.yellow(`callers: warn: the deployment goes ahead and records these callers in its history; they will not see the canary.`),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function clientConfig(options: CallerSourceOptions, specRegion: string | undefined): Promise<{ config: LambdaClientConfig; where: string }> {
  if (options.local && options.endpoint) throw new UsageError('--local and --endpoint exclude each other');
  if (options.local) {
    try {
      const local = await findLocalMode();
      return { config: { endpoint: local.endpoint, region: options.region ?? local.region, credentials: EMULATOR_CREDENTIALS }, where: `local mode at ${local.endpoint}` };
    } catch (error) {
      if (error instanceof LocalModeNotRunningError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  }
  const region = options.region ?? specRegion ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
  if (options.endpoint) {
    return { config: { endpoint: options.endpoint, region: region ?? 'us-east-1', credentials: endpointCredentials() }, where: options.endpoint };
  }
  if (!region) throw new UsageError('--callers reads your AWS account: give --region, set AWS_REGION, or name the function by ARN in the spec');
  return { config: { region }, where: `AWS (${region})` };
}
