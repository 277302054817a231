import { InvalidArgumentError, type Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget, withApiOptions } from '../api-client';
import { globals } from '../globals';
import { startDashboard } from '../dashboard/server';

const HELP = `
Examples:
  $ fledge dashboard --local
  $ fledge dashboard --endpoint https://abc123.execute-api.eu-west-1.amazonaws.com --port 8400

Serves the dashboard on http://127.0.0.1 (never another interface) until Ctrl-C: the deployments,
one deployment's traffic timeline and checks with approve/reject/stop/promote, and the delivery
metrics. The browser talks only to this process, which calls fledge's API signed with your own AWS
credentials (so fledge records you as the approver). Open the printed address: it carries a token
for this run only; other pages on this machine cannot use the dashboard without it.
Exit codes: 0 stopped (Ctrl-C), 2 usage error (bad option, local mode not running, no AWS credentials).`;

interface DashboardCommandOptions {
  endpoint?: string;
  local?: boolean;
  port: number;
}

const parsePort = (text: string): number => {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number from 0 to 65535 (0: any free port)');
  return port;
};

/** Registers `fledge dashboard`. */
export function registerDashboard(program: Command): void {
  withApiOptions(
    program
      .command('dashboard')
      .description('Serve the dashboard on localhost, talking to fledge\'s API with your AWS credentials'),
  )
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)', parsePort, 0)
    .addHelpText('after', HELP)
    .action(async (options: DashboardCommandOptions) => {
      // --region is fledge's global option (one meaning for every command).
      const { region } = globals();
      const target = await resolveTarget({ ...options, ...(region ? { region } : {}) });
      const dashboard = await startDashboard({ api: new ApiClient(target), port: options.port });
      process.stdout.write(`fledge dashboard for ${sanitise(target.apiUrl)}\nopen ${dashboard.url}\n(Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await dashboard.stop();
    });
}
