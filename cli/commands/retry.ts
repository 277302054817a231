import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, sameTargetFlags, withApiOptions, type ApiOptions } from '../api-client';
import { followDeployment, getDeployment } from '../follow';
import { FINISHED, formatStatus, SUCCESSFUL } from '../format/deployment';
import { styleFor } from '../format/style';
import { fitToTerminal } from '../live';
import { machineOutput, printResult } from '../output';
import { EXIT_CODES_HELP, ExitCode, UsageError } from '../program';
import { resolveDeploymentId, timeoutOption } from './status';

const HELP = `
Examples:
  $ fledge retry api-01J…                        # after fixing what made it fail
  $ fledge retry orders-api:live --wait --local   # the alias's last deployment

Starts a new deployment from the spec and the artifact of one that ended FAILED or ROLLED_BACK
(the same zip object, version or image): for a failure that was not the new version's fault — a
throttled account, an alarm that fired for another reason. The new deployment has its own id
and history. --wait follows it as \`deploy --wait\` does.
${EXIT_CODES_HELP} Here: 1 also when the deployment did not end FAILED or ROLLED_BACK (nothing
is started), or the new one fails; 130 Ctrl+C during --wait (it goes on).`;

/** Registers `fledge retry`. */
export function registerRetry(program: Command): void {
  withApiOptions(
    program
      .command('retry')
      .description('Start again a deployment that ended FAILED or ROLLED_BACK: a new deployment from the same spec and artifact')
      .argument('<deployment>', 'the deployment id, or <function>:<alias> for its last deployment')
      .option('--wait', 'follow the new deployment until it finishes')
      .addOption(timeoutOption()),
  )
    .addHelpText('after', HELP)
    .action(async (target: string, options: ApiOptions & { wait?: boolean; timeout?: number }) => {
      if (options.timeout !== undefined && !options.wait) throw new UsageError('--timeout only applies with --wait');
      const client = new ApiClient(await resolveTarget(options));
      const id = await resolveDeploymentId(client, target);
      // One key per invocation: the client's own retries of this request start nothing twice.
      const started = await client.request<{ deploymentId: string }>('POST', `/deployments/${encodeURIComponent(id)}/retry`, { headers: { 'idempotency-key': `fledge-cli-retry-${randomUUID()}` } });
      const flags = sameTargetFlags(options);
      if (!machineOutput()) process.stderr.write(`${sanitise(`deployment ${started.deploymentId} started, retrying ${id}`)}\n`);
      if (options.wait) {
        const followed = await followDeployment(client, started.deploymentId, { intervalMs: 500, flags, ...(options.timeout !== undefined ? { timeoutMs: options.timeout * 1000 } : {}) });
        if (followed.end === 'interrupted') return void (process.exitCode = ExitCode.interrupted);
        process.exitCode = followed.end === 'timeout' || (FINISHED.has(followed.detail.status) && !SUCCESSFUL.has(followed.detail.status)) ? ExitCode.failure : ExitCode.ok;
        return;
      }
      const detail = await getDeployment(client, started.deploymentId);
      printResult(detail, () => `${fitToTerminal(formatStatus(detail, styleFor(process.stdout), { flags })).join('\n')}\n\nfollow it: fledge status ${sanitise(started.deploymentId)} --watch${flags}\n`);
    });
}
