import { InvalidArgumentError, type Command } from 'commander';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';
import { formatHistory, type DeploymentSummary } from '../format/deployment';
import { styleFor } from '../format/style';
import { fitToTerminal } from '../live';
import { printResult } from '../output';
import { EXIT_CODES_HELP } from '../program';

const HELP = `
Examples:
  $ fledge history orders-api --local
  $ fledge history orders-api --alias live --status ROLLED_BACK --limit 50
  $ fledge history orders-api --output json | jq '.[0]'
  $ fledge history orders-api --query "[?status=='ROLLED_BACK'].deploymentId"

Newest first. Statuses: PENDING, QUEUED, RUNNING, AWAITING_APPROVAL, SUCCEEDED, NO_CHANGE, ROLLED_BACK,
DRIFTED, FAILED, REJECTED. On a terminal, lines are cut to its width; piped, they are whole.
${EXIT_CODES_HELP}`;

interface HistoryOptions extends ApiOptions {
  alias?: string;
  status?: string;
  limit: number;
}

const parseLimit = (text: string): number => {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InvalidArgumentError('must be a whole number from 1 to 10000');
  return limit;
};

/** Registers `fledge history`. */
export function registerHistory(program: Command): void {
  withApiOptions(
    program
      .command('history')
      .description("List a function's deployments, newest first")
      .argument('<function>', 'function name')
      .option('--alias <alias>', 'only this alias')
      .option('--status <status>', 'only deployments in this status')
      .option('--limit <n>', 'how many to show', parseLimit, 20),
  )
    .addHelpText('after', HELP)
    .action(async (functionName: string, options: HistoryOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      const items: DeploymentSummary[] = [];
      let cursor: string | undefined;
      // The API pages by at most 100; follow the cursor until --limit is reached.
      do {
        const params = new URLSearchParams({ function: functionName, limit: String(Math.min(100, options.limit - items.length)) });
        if (options.alias) params.set('alias', options.alias);
        if (options.status) params.set('status', options.status);
        if (cursor) params.set('cursor', cursor);
        const page = await client.request<{ items: DeploymentSummary[]; cursor?: string }>('GET', `/deployments?${params}`);
        items.push(...page.items);
        cursor = page.cursor;
      } while (cursor && items.length < options.limit);
      printResult(items, () => `${fitToTerminal(formatHistory(items, styleFor(process.stdout))).join('\n')}\n`);
    });
}
