import type { Command } from 'commander';
import { safeJson, sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';
import { UsageError } from '../program';

interface RollbackOptions extends ApiOptions {
  toVersion?: string;
  reason?: string;
}

/** What the API answers to a rollback. */
interface RollbackResult {
  readonly deploymentId: string;
  readonly status: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly by: string;
  readonly undoes?: string;
}

const HELP = `
Examples:
  $ fledge rollback orders-api:live --local
  $ fledge rollback orders-api:live --to-version 41 --reason "checkout errors since 09:10"
  $ fledge rollback orders-api:live --output json

Moves the alias back at once, whole (never split), to the version it served before its last
SUCCEEDED deployment, or to the published version --to-version names. fledge records it as a
deployment of its own, ROLLED_BACK, with both versions and your IAM identity (fledge history
shows it), and notifies as for any rollback. It takes the alias's lock as deployments do.

Exit codes: 0 the alias serves the target version now; 1 refused, nothing changed: a
deployment runs on the alias (stop it first), the target version does not exist (never
published, or removed by cleanup after its undo window) or is not Active, the alias is already
on it, or there is nothing to undo; 2 wrong usage: <function>:<alias> or --to-version malformed.`;

const FUNCTION_ALIAS = /^([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]{1,128})$/;
const VERSION = /^[1-9][0-9]{0,9}$/;

/** Registers `fledge rollback`. */
export function registerRollback(program: Command): void {
  withApiOptions(
    program
      .command('rollback')
      .description("Undo after success: move an alias back at once to a kept version (default: the one before its last successful deployment), recorded as its own ROLLED_BACK deployment")
      .argument('<function:alias>', 'the alias, e.g. orders-api:live')
      .option('--to-version <n>', 'the published version to go back to (default: the version before the last SUCCEEDED deployment)')
      .option('--reason <text>', 'why, recorded in the history'),
  )
    .addHelpText('after', HELP)
    .action(async (target: string, options: RollbackOptions) => {
      const match = FUNCTION_ALIAS.exec(target);
      if (!match) throw new UsageError(`"${target}" is not <function>:<alias> (a function name, a colon, an alias name; e.g. orders-api:live)`);
      if (options.toVersion !== undefined && !VERSION.test(options.toVersion)) {
        throw new UsageError(`--to-version must be a published version number (1, 2, …), got "${options.toVersion}"`);
      }
      const [, functionName, alias] = match as unknown as [string, string, string];
      const client = new ApiClient(await resolveTarget(options));
      const result = await client.request<RollbackResult>('POST', `/functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}/rollback`, {
        json: { ...(options.toVersion ? { toVersion: options.toVersion } : {}), ...(options.reason ? { reason: options.reason } : {}) },
      });
      process.stdout.write(
        options.output === 'json'
          ? `${safeJson(result)}\n`
          : `${sanitise(`${functionName}:${alias} rolled back from version ${result.fromVersion} to version ${result.toVersion} by ${result.by}${result.undoes ? ` (undoing ${result.undoes})` : ''}: ${result.deploymentId} ${result.status}`)}\n`,
      );
    });
}
