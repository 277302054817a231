import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../../shared/domain/spec/duration';
import { parseAliasTarget } from '../alias-target';
import { ApiClient, resolveTarget, sameTargetFlags, withApiOptions, type ApiOptions } from '../api-client';
import { followDeployment, getDeployment } from '../follow';
import { FINISHED, formatStatus, SUCCESSFUL, type DeploymentDetail, type DeploymentSummary } from '../format/deployment';
import { styleFor } from '../format/style';
import { fitToTerminal } from '../live';
import { printResult } from '../output';
import { EXIT_CODES_HELP, ExitCode } from '../program';

export { getDeployment } from '../follow';

const HELP = `
Examples:
  $ fledge status s3-Jx4… --local                     # once
  $ fledge status orders-api:live                     # the deployment in progress on the alias, or its last one
  $ fledge status api-01J… --watch --timeout 30m      # live: step, traffic split, health numbers, time left
  $ fledge status api-01J… --output json --query status

With --watch it redraws in place on a terminal (lines cut to its width), and on a pipe or in a
CI log prints every event of the history once, in order, with its time; it ends when the
deployment finishes, when --timeout runs out, or on Ctrl+C (the deployment goes on).
${EXIT_CODES_HELP} Here: 0 running or succeeded, 1 failed, rolled back or refused, or --timeout
ran out before the end; 130 Ctrl+C during --watch.`;

interface StatusOptions extends ApiOptions {
  watch?: boolean;
  interval: number;
  timeout?: number;
}

const parseInterval = (text: string): number => {
  const seconds = Number(text);
  if (!(seconds >= 0.1 && seconds <= 60)) throw new InvalidArgumentError('must be seconds between 0.1 and 60');
  return seconds;
};

/** `--timeout`: 90, 90s, 5m, 1h… */
export const parseTimeout = (text: string): number => {
  const result = parseDuration(/^\d+$/.test(text) ? Number(text) : text);
  if (!result.ok) throw new InvalidArgumentError(result.message);
  if (result.seconds === 0) throw new InvalidArgumentError('must be longer than 0s');
  return result.seconds;
};

/** The `--timeout` option of the commands that follow a deployment. */
export const timeoutOption = (): Option => new Option('--timeout <duration>', 'stop following after this long (30s, 5m, 1h) and exit 1; the deployment goes on').argParser(parseTimeout);

/**
 * The deployment a `status` argument names: an id as is, or `<function>:<alias>` — the
 * deployment in progress on the alias, else its last one.
 */
export async function resolveDeploymentId(client: ApiClient, text: string): Promise<string> {
  if (!text.includes(':')) return text;
  const { functionName, alias } = parseAliasTarget(text);
  const state = await client.request<{ activeDeployment?: DeploymentSummary; deployments: DeploymentSummary[] }>('GET', `/functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}`);
  const id = state.activeDeployment?.deploymentId ?? state.deployments[0]?.deploymentId;
  // The same answer as for an alias fledge does not know (the API's 404): exit 1, not a usage error.
  if (!id) throw new Error(`fledge never deployed ${functionName}:${alias}`);
  return id;
}

/** Registers `fledge status`. */
export function registerStatus(program: Command): void {
  withApiOptions(
    program
      .command('status')
      .description('Show a deployment: step, traffic split, health numbers, time left; --watch follows it live')
      .argument('<deployment>', 'the id `fledge deploy` printed, or <function>:<alias> for its deployment in progress (or last one)')
      .option('-w, --watch', 'follow until the deployment finishes')
      .option('--interval <seconds>', 'seconds between refreshes with --watch', parseInterval, 1)
      .addOption(timeoutOption()),
  )
    .addHelpText('after', HELP)
    .action(async (target: string, options: StatusOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      const id = await resolveDeploymentId(client, target);
      const flags = sameTargetFlags(options);
      let detail: DeploymentDetail;
      if (options.watch) {
        const followed = await followDeployment(client, id, { intervalMs: options.interval * 1000, flags, ...(options.timeout !== undefined ? { timeoutMs: options.timeout * 1000 } : {}) });
        detail = followed.detail;
        if (followed.end === 'interrupted') return void (process.exitCode = ExitCode.interrupted);
        if (followed.end === 'timeout') return void (process.exitCode = ExitCode.failure);
      } else {
        detail = await getDeployment(client, id);
        printResult(detail, () => `${fitToTerminal(formatStatus(detail, styleFor(process.stdout), { flags })).join('\n')}\n`);
      }
      process.exitCode = FINISHED.has(detail.status) && !SUCCESSFUL.has(detail.status) ? ExitCode.failure : ExitCode.ok;
    });
}
