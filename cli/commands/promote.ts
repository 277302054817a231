import type { Command } from 'commander';
import { safeJson, sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';

/** Registers `fledge promote`. */
export function registerPromote(program: Command): void {
  withApiOptions(
    program
      .command('promote')
      .description('Promote a running deployment now: at its next green health check it skips the remaining bake and steps (never a red check, nor a pending approval)')
      .argument('<deployment-id>', 'the deployment'),
  ).action(async (id: string, options: ApiOptions) => {
    const client = new ApiClient(await resolveTarget(options));
    const result = await client.request('POST', `/deployments/${encodeURIComponent(id)}/promote`);
    process.stdout.write(options.output === 'json' ? `${safeJson(result)}\n` : `promote requested for ${sanitise(id)}: it goes to 100% at its next green check\n`);
  });
}
