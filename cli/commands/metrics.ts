import type { Command } from 'commander';
import { EXIT_CODES_HELP } from '../program';
import { safeJson } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';
import { formatMetrics, type MetricsView } from '../format/metrics';
import { styleFor } from '../format/style';

const HELP = `
Examples:
  $ fledge metrics --local
  $ fledge metrics --function orders-api --since 12w
  $ fledge metrics --since 2026-09-01T00:00:00Z --output json | jq .overall

Deployment frequency, change failure rate, lead time (accepted → promoted) and time to restore
(failure detected → alias back), overall, per function and per ISO week (UTC). --since is a duration
back from --until (90d, 12w, 36h; default 90d, at most 400d) or an ISO time; --until an ISO
time (default now). See docs/api.md#get-metrics.
${EXIT_CODES_HELP}`;

interface MetricsOptions extends ApiOptions {
  function?: string;
  since?: string;
  until?: string;
}

/** Registers `fledge metrics`. */
export function registerMetrics(program: Command): void {
  withApiOptions(
    program
      .command('metrics')
      .description('Delivery metrics (DORA) from fledge\'s history')
      .option('--function <name>', 'only this function')
      .option('--since <when>', 'window start: 90d, 12w, 36h back from --until, or an ISO time (default 90d)')
      .option('--until <time>', 'window end, an ISO time (default now)'),
  )
    .addHelpText('after', HELP)
    .action(async (options: MetricsOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      const params = new URLSearchParams();
      if (options.function) params.set('function', options.function);
      if (options.since) params.set('since', options.since);
      if (options.until) params.set('until', options.until);
      const view = await client.request<MetricsView>('GET', `/metrics${params.size > 0 ? `?${params}` : ''}`);
      process.stdout.write(options.output === 'json' ? `${safeJson(view)}\n` : `${formatMetrics(view, styleFor(process.stdout)).join('\n')}\n`);
    });
}
