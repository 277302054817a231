import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, sameTargetFlags, withApiOptions, type ApiOptions } from '../api-client';
import { getDeployment } from '../follow';
import { formatStatus } from '../format/deployment';
import { styleFor } from '../format/style';
import { printResult } from '../output';
import { EXIT_CODES_HELP, ExitCode, printError, UsageError } from '../program';
import { resolveDeploymentId } from './status';

interface DecisionOptions extends ApiOptions {
  comment?: string;
  yes?: boolean;
}

const HELP = (verb: string) => `
Examples:
  $ fledge ${verb} api-01J… --local
  $ fledge ${verb} api-01J… --comment "dashboards look fine" --yes
  $ fledge ${verb} orders-api:live --yes          # the deployment waiting on the alias

Shows the deployment waiting for a decision, asks you to confirm, then decides it as you: the
call is signed with your AWS credentials and fledge records your IAM identity in the history.
The decision is bound to the approval you were shown: if the deployment moved on meanwhile,
nothing is decided. Without a terminal, pass --yes.
${EXIT_CODES_HELP} Here: 1 also when it is not waiting for an approval, or you answered no.`;

/** Registers `fledge approve` or `fledge reject`. */
export function registerDecision(program: Command, verb: 'approve' | 'reject'): void {
  withApiOptions(
    program
      .command(verb)
      .description(verb === 'approve' ? 'Approve the deployment waiting for approval, as your IAM identity' : 'Reject the deployment waiting for approval (it rolls back), as your IAM identity')
      .argument('<deployment>', 'the deployment id, or <function>:<alias>')
      .option('--comment <text>', 'recorded with the decision')
      .option('-y, --yes', 'decide without asking for confirmation'),
  )
    .addHelpText('after', HELP(verb))
    .action(async (target: string, options: DecisionOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      const id = await resolveDeploymentId(client, target);
      const detail = await getDeployment(client, id);
      if (detail.status !== 'AWAITING_APPROVAL' || !detail.approvalId) {
        printError(`deployment ${id} is ${detail.status}, not waiting for an approval; nothing was decided`);
        process.exitCode = ExitCode.failure;
        return;
      }
      if (!options.yes) {
        if (!process.stdin.isTTY) throw new UsageError(`no terminal to confirm on: pass --yes to ${verb} ${id} without a prompt`);
        process.stderr.write(`${formatStatus(detail, styleFor(process.stderr)).join('\n')}\n\n`);
        const prompt = createInterface({ input: process.stdin, output: process.stderr });
        const answer = (await prompt.question(`${verb === 'approve' ? 'Approve' : 'Reject'} ${sanitise(`${detail.functionName}:${detail.alias}`)}? [y/N] `)).trim().toLowerCase();
        prompt.close();
        if (answer !== 'y' && answer !== 'yes') {
          process.stderr.write('nothing was decided\n');
          process.exitCode = ExitCode.failure;
          return;
        }
      }
      const result = await client.request<{ decision: string; by: string; at: string }>('POST', `/deployments/${encodeURIComponent(id)}/${verb}`, {
        json: { approvalId: detail.approvalId, ...(options.comment ? { comment: options.comment } : {}) },
      });
      printResult(result, () => `${sanitise(`${result.decision.toLowerCase()} by ${result.by} at ${result.at}`)}; follow it with \`fledge status ${sanitise(id)} --watch${sameTargetFlags(options)}\`\n`);
    });
}

/** Registers `fledge approve`. */
export function registerApprove(program: Command): void {
  registerDecision(program, 'approve');
}
