import { InvalidArgumentError, type Command } from 'commander';
import { safeJson } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, withApiOptions, type ApiOptions } from '../api-client';
import { FINISHED, formatStatus, formatStatusLine, SUCCESSFUL, type DeploymentDetail } from '../format/deployment';
import { styleFor } from '../format/style';
import { ExitCode } from '../program';

const HELP = `
Examples:
  $ fledge status s3-Jx4… --local               # once
  $ fledge status api-01J… --watch               # live: step, traffic split, health, time left
  $ fledge status api-01J… --output json

With --watch it redraws in place on a terminal, and prints one line per change otherwise; it
ends when the deployment finishes. Exit codes: 0 running or succeeded, 1 failed, rolled back or
refused, 2 usage error.`;

interface StatusOptions extends ApiOptions {
  watch?: boolean;
  interval: number;
}

const parseInterval = (text: string): number => {
  const seconds = Number(text);
  if (!(seconds >= 0.1 && seconds <= 60)) throw new InvalidArgumentError('must be seconds between 0.1 and 60');
  return seconds;
};

/** Reads a deployment. */
export async function getDeployment(client: ApiClient, id: string): Promise<DeploymentDetail> {
  return client.request<DeploymentDetail>('GET', `/deployments/${encodeURIComponent(id)}`);
}

/**
 * Follows a deployment until it finishes: redraws the status block in a TTY, prints a line per
 * change otherwise (or the final JSON with `--output json`). Returns the final record.
 */
export async function watchDeployment(client: ApiClient, id: string, options: { intervalMs: number; output: 'table' | 'json' }): Promise<DeploymentDetail> {
  const out = process.stdout;
  const style = styleFor(out);
  const tty = out.isTTY === true && options.output === 'table';
  let drawn = 0;
  let lastLine = '';
  for (;;) {
    const detail = await getDeployment(client, id);
    if (options.output === 'table') {
      if (tty) {
        const lines = formatStatus(detail, style);
        // Move up over the previous block and clear it, then draw the new one.
        out.write(`${drawn > 0 ? `\u001b[${drawn}A\u001b[J` : ''}${lines.join('\n')}\n`);
        drawn = lines.length;
      } else {
        const line = formatStatusLine(detail);
        if (line !== lastLine) out.write(`${line}\n`);
        lastLine = line;
      }
    }
    if (FINISHED.has(detail.status)) {
      if (options.output === 'json') out.write(`${safeJson(detail)}\n`);
      else if (!tty) out.write(`${formatStatus(detail, style).join('\n')}\n`);
      return detail;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** Registers `fledge status`. */
export function registerStatus(program: Command): void {
  withApiOptions(
    program
      .command('status')
      .description('Show a deployment: step, traffic split, health, time left; --watch follows it live')
      .argument('<deployment-id>', 'the id `fledge deploy` printed')
      .option('-w, --watch', 'follow until the deployment finishes')
      .option('--interval <seconds>', 'seconds between refreshes with --watch', parseInterval, 1),
  )
    .addHelpText('after', HELP)
    .action(async (id: string, options: StatusOptions) => {
      const client = new ApiClient(await resolveTarget(options));
      let detail: DeploymentDetail;
      if (options.watch) detail = await watchDeployment(client, id, { intervalMs: options.interval * 1000, output: options.output });
      else {
        detail = await getDeployment(client, id);
        process.stdout.write(options.output === 'json' ? `${safeJson(detail)}\n` : `${formatStatus(detail, styleFor(process.stdout)).join('\n')}\n`);
      }
      process.exitCode = FINISHED.has(detail.status) && !SUCCESSFUL.has(detail.status) ? ExitCode.failure : ExitCode.ok;
    });
}
