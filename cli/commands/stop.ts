import type { Command } from 'commander';
import { safeJson, sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';

/** Registers `fledge stop`. */
export function registerStop(program: Command): void {
  withApiOptions(
    program
      .command('stop')
      .description('Stop a running deployment: it rolls back at its next health check (a pending approval is rejected at once)')
      .argument('<deployment-id>', 'the deployment')
      .option('--reason <text>', 'why, recorded in the history'),
  ).action(async (id: string, options: ApiOptions & { reason?: string }) => {
    const client = new ApiClient(await resolveTarget(options));
    const result = await client.request('POST', `/deployments/${encodeURIComponent(id)}/stop`, { json: options.reason ? { reason: options.reason } : {} });
    process.stdout.write(options.output === 'json' ? `${safeJson(result)}\n` : `stop requested for ${sanitise(id)}: it rolls back shortly; follow it with \`fledge status ${sanitise(id)} --watch\`\n`);
  });
}
