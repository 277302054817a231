import { type Command } from 'commander';
import type { LocalAws } from '@fledge-local/embedded-aws';
import { sanitise } from '../../shared/text/sanitise';
import { ExitCode, UsageError } from '../program';
import { isLoopback, parsePort, parseTimeScale } from '../local-options';
import { loadEmbeddedAws } from '../embedded-aws-loader';

const EXAMPLES = `
Examples:
  $ fledge local-aws                                  # http://127.0.0.1:4566, real time, in memory
  $ fledge local-aws --time-scale 0.01 --port 0       # 100x faster simulated time, any free port
  $ fledge local-aws --data-dir .fledge/local-aws     # keep S3 objects and DynamoDB items across restarts

Then point any AWS SDK v3 client or the AWS CLI at it with the environment it prints
(AWS_ENDPOINT_URL and dummy credentials). Stop it with Ctrl+C (SIGINT) or SIGTERM.
Exit codes: 0 stopped cleanly, 1 could not start (e.g. the data directory is in use by another
one), 2 usage error (bad option, port already in use). A second Ctrl+C while stopping quits at once.
Guide: docs/local.md`;


interface LocalAwsCommandOptions {
  port: number;
  host?: string;
  timeScale: number;
  dataDir?: string;
  verbose?: boolean;
}

/** `fledge local-aws`: runs the embedded AWS in the foreground until SIGINT or SIGTERM. */
export function registerLocalAws(program: Command): void {
  program
    .command('local-aws')
    .description('Run the embedded AWS (S3, DynamoDB, Lambda, CloudWatch, SNS, Step Functions) on one local endpoint, for trying fledge without an AWS account.')
    .option('--port <port>', 'port to listen on; 0 picks a free one', parsePort, 4566)
    .option('--host <address>', 'address to listen on (default 127.0.0.1); anything but loopback exposes an endpoint WITHOUT authentication')
    .option('--time-scale <scale>', 'real seconds per simulated second: 0.01 makes a 5-minute bake take 3 s', parseTimeScale, 1)
    .option('--data-dir <dir>', 'keep state (S3 objects, DynamoDB items, …) in this directory across restarts; in memory when absent')
    .option('--verbose', 'print the embedded AWS\'s log (what the services do, failed deliveries and their retries) to standard error; it is kept anyway at GET /_fledge/log and, with --data-dir, in embedded-aws.log there')
    .addHelpText('after', EXAMPLES)
    .action(async (options: LocalAwsCommandOptions) => {
      // Listen for the stop signals before anything else: a Ctrl+C during start-up then stops it
      // cleanly as soon as it is up, instead of killing it half-started.
      const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // Its own chunk of the bundle, loaded by this command only (cli/embedded-aws-loader.ts).
      const { startAwsForFledge } = await loadEmbeddedAws('fledge local-aws', () => import('../../local/fledge-on-local'));
      const { LocalAwsStartError } = await import('@fledge-local/embedded-aws/errors');
      const host = options.host ?? '127.0.0.1';
      if (!isLoopback(host)) {
        process.stderr.write(`fledge local-aws: WARNING: listening on ${host}, not loopback: anyone who can reach it can use this endpoint, which has no authentication.\n`);
      }
      let aws: LocalAws;
      try {
        aws = await startAwsForFledge({ port: options.port, host, timeScale: options.timeScale, dataDir: options.dataDir, log: options.verbose ? (message) => process.stderr.write(`${sanitise(message, { keepNewlines: true })}\n`) : undefined });
      } catch (error) {
        if (error instanceof LocalAwsStartError && (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL')) {
          const hint = error.code === 'EADDRINUSE' ? ` (something else is listening there: stop it, or pick another port with --port, or --port 0 for any free one)` : '';
          throw new UsageError(`${error.message}${hint}`, { cause: error });
        }
        throw error;
      }
      process.stdout.write(banner(aws.endpoint, aws.region, aws.serviceNames, options.timeScale, aws.dataDir, aws.logFile, options.verbose === true));
      const signal = await stopRequested;
      process.stdout.write(`fledge local-aws: ${signal}: stopping…\n`);
      await aws.stop();
      process.stdout.write('fledge local-aws: stopped\n');
      process.exitCode = ExitCode.ok;
    });
}

function banner(endpoint: string, region: string, services: readonly string[], timeScale: number, dataDir: string | undefined, logFile: string | undefined, verbose: boolean): string {
  const scale = timeScale === 1 ? '1 (real time)' : `${timeScale} (one simulated second lasts ${+(1000 * timeScale).toPrecision(6)} ms)`;
  return [
    `fledge local-aws: embedded AWS listening on ${endpoint}`,
    `services: ${services.join(', ')}`,
    `time scale: ${scale}`,
    `data: ${dataDir ?? 'in memory (gone when it stops)'}`,
    `log: ${logFile ? `${logFile} and ` : ''}GET ${endpoint}/_fledge/log (failed deliveries and retries${verbose ? '; also printed to standard error' : '; --verbose prints them to standard error'})`,
    '',
    'Use it from the AWS SDK v3 or the AWS CLI with this environment:',
    `  export AWS_ENDPOINT_URL=${endpoint}`,
    '  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test',
    `  export AWS_REGION=${region}`,
    'S3 clients need path-style addressing (forcePathStyle: true), unless the endpoint is an IP address as here.',
    'Control and inspection: GET /_fledge/health, /_fledge/clock, /_fledge/faults (see docs/local.md).',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
