import type { Command } from 'commander';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';
import { formatHistory, type DeploymentSummary } from '../format/deployment';
import { styleFor } from '../format/style';
import { fitToTerminal } from '../live';
import { printResult } from '../output';
import { EXIT_CODES_HELP } from '../program';

/** What `fledge list` shows: deployments that are not over, waiting for a person first. */
const OPEN = ['AWAITING_APPROVAL', 'RUNNING', 'PENDING'] as const;

const HELP = `
Examples:
  $ fledge list
  $ fledge list --local --output json --query "[?status=='AWAITING_APPROVAL'].deploymentId"

Every deployment not over yet, across functions: those waiting for approval first, then the
running ones, then those starting; newest first within each. Nothing listed: exit 0.
${EXIT_CODES_HELP}`;

/** Registers `fledge list`. */
export function registerList(program: Command): void {
  withApiOptions(
    program
      .command('list')
      .description('List the deployments in progress and waiting for approval, across functions'),
  )
    .addHelpText('after', HELP)
    .action(async (options: ApiOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      const items: DeploymentSummary[] = [];
      // One index query per status (GET /deployments?status=…), each followed to its last page.
      for (const status of OPEN) {
        let cursor: string | undefined;
        do {
          const params = new URLSearchParams({ status, limit: '100' });
          if (cursor) params.set('cursor', cursor);
          const page = await client.request<{ items: DeploymentSummary[]; cursor?: string }>('GET', `/deployments?${params}`);
          items.push(...page.items);
          cursor = page.cursor;
        } while (cursor);
      }
      const table = () => (items.length === 0 ? 'no deployments in progress\n' : `${fitToTerminal(formatHistory(items, styleFor(process.stdout), { functionColumn: true })).join('\n')}\n`);
      printResult(items, table);
    });
}
