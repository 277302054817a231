import { InvalidArgumentError, type Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { ApiClient, resolveTarget } from '../api-client';
import { startDashboard } from '../dashboard/server';

const HELP = `
Examples:
  $ fledge dashboard --local
  $ fledge dashboard --endpoint https://abc123.execute-api.eu-west-1.amazonaws.com --port 8400

Serves the dashboard on http://127.0.0.1 (never another interface) until Ctrl-C: the deployments,
one deployment's traffic timeline and checks with approve/reject/stop/promote, and the delivery
metrics. The browser talks only to this process, which calls fledge's API signed with your own AWS
credentials (so fledge records you as the approver). Open the printed address: it carries a token
for this run only; other pages on this machine cannot use the dashboard without it.`;

interface DashboardCommandOptions {
  endpoint?: string;
  local?: boolean;
  region?: string;
  port: number;
}

const parsePort = (text: string): number => {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('must be a port number from 0 to 65535 (0: any free port)');
  return port;
};

/** Registers `fledge dashboard`. */
export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('Serve the dashboard on localhost, talking to fledge\'s API with your AWS credentials')
    .option('--endpoint <url>', "fledge's API base URL (default: $FLEDGE_API_URL)")
    .option('--local', 'use the running `fledge local` of this project (.fledge/local.json)')
    .option('--region <region>', 'AWS region for signing (default: the standard AWS chain, $AWS_REGION)')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)', parsePort, 0)
    .addHelpText('after', HELP)
    .action(async (options: DashboardCommandOptions) => {
      const target = await resolveTarget(options);
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
