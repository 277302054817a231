import type { Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, sameTargetFlags, withApiOptions, type ApiOptions } from '../api-client';
import { printResult } from '../output';
import { EXIT_CODES_HELP } from '../program';
import { resolveDeploymentId } from './status';

const HELP = `
Examples:
  $ fledge stop api-01J… --reason "wrong build"
  $ fledge stop orders-api:live --local

The deployment rolls back at its next health check; a pending approval is rejected at once.
${EXIT_CODES_HELP} Here: 1 also when the deployment already ended.`;

/** Registers `fledge stop`. */
export function registerStop(program: Command): void {
  withApiOptions(
    program
      .command('stop')
      .description('Stop a running deployment: it rolls back at its next health check (a pending approval is rejected at once)')
      .argument('<deployment>', 'the deployment id, or <function>:<alias>')
      .option('--reason <text>', 'why, recorded in the history'),
  )
    .addHelpText('after', HELP)
    .action(async (target: string, options: ApiOptions & { reason?: string }) => {
      const client = new ApiClient(await resolveTarget(options));
      const id = await resolveDeploymentId(client, target);
      const result = await client.request('POST', `/deployments/${encodeURIComponent(id)}/stop`, { json: options.reason ? { reason: options.reason } : {} });
      printResult(result, () => `stop requested for ${sanitise(id)}: it rolls back shortly; follow it with \`fledge status ${sanitise(id)} --watch${sameTargetFlags(options)}\`\n`);
    });
}
