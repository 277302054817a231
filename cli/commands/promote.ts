import type { Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';
import { printResult } from '../output';
import { EXIT_CODES_HELP } from '../program';
import { resolveDeploymentId } from './status';

const HELP = `
Examples:
  $ fledge promote api-01J…
  $ fledge promote orders-api:live --local

At its next green health check the deployment skips the remaining bake and steps and goes to
100%. It never skips a red check, nor a pending approval (approve that instead).
${EXIT_CODES_HELP} Here: 1 also when the deployment already ended.`;

/** Registers `fledge promote`. */
export function registerPromote(program: Command): void {
  withApiOptions(
    program
      .command('promote')
      .description('Promote a running deployment now: at its next green health check it skips the remaining bake and steps (never a red check, nor a pending approval)')
      .argument('<deployment>', 'the deployment id, or <function>:<alias>'),
  )
    .addHelpText('after', HELP)
    .action(async (target: string, options: ApiOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      const id = await resolveDeploymentId(client, target);
      const result = await client.request('POST', `/deployments/${encodeURIComponent(id)}/promote`);
      printResult(result, () => `promote requested for ${sanitise(id)}: it goes to 100% at its next green check\n`);
    });
}
