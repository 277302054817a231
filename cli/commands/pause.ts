import type { Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, sameTargetFlags, withApiOptions, type ApiOptions } from '../api-client';
import { printResult } from '../output';
import { EXIT_CODES_HELP } from '../program';
import { resolveDeploymentId } from './status';

const HELP = (verb: 'pause' | 'resume') =>
  verb === 'pause'
    ? `
Examples:
  $ fledge pause api-01J…
  $ fledge pause orders-api:live --local

Holds the deployment at its current weight, for as long as it takes: its health checks go on (a
red one still rolls back), traffic does not move, and its timeout does not run out while it
holds; promote-now waits too. Recorded in the history as who paused it and when. A deployment
waiting for an approval already holds: it cannot be paused. \`fledge resume\` lets it go on.
${EXIT_CODES_HELP} Here: 1 also when it has ended or waits for an approval.`
    : `
Examples:
  $ fledge resume api-01J…
  $ fledge resume orders-api:live --local

The paused deployment goes on from where it held, at its next health check, with the time that
was left before its timeout when it was paused. Recorded in the history.
${EXIT_CODES_HELP} Here: 1 also when it is not paused or has ended.`;

/** Registers `fledge pause` or `fledge resume`. */
function registerHold(program: Command, verb: 'pause' | 'resume'): void {
  withApiOptions(
    program
      .command(verb)
      .description(verb === 'pause' ? 'Hold a running deployment at its current weight until resumed (health checks go on)' : 'Let a paused deployment go on')
      .argument('<deployment>', 'the deployment id, or <function>:<alias>'),
  )
    .addHelpText('after', HELP(verb))
    .action(async (target: string, options: ApiOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      const id = await resolveDeploymentId(client, target);
      const result = await client.request<{ weight?: number }>('POST', `/deployments/${encodeURIComponent(id)}/${verb}`);
      const flags = sameTargetFlags(options);
      printResult(result, () =>
        verb === 'pause'
          ? `${sanitise(id)} is paused${result.weight !== undefined ? ` at ${result.weight}%` : ''}: it holds until \`fledge resume ${sanitise(id)}${flags}\`\n`
          : `${sanitise(id)} goes on at its next health check; follow it with \`fledge status ${sanitise(id)} --watch${flags}\`\n`,
      );
    });
}

/** Registers `fledge pause` and `fledge resume`. */
export function registerPause(program: Command): void {
  registerHold(program, 'pause');
  registerHold(program, 'resume');
}
