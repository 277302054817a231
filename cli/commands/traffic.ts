import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { parseDuration } from '../../shared/domain/spec/duration';
import { sanitise } from '../../shared/text/sanitise';
import { parseAliasTarget } from '../alias-target';
import { awsCredentials, awsRegion, EMULATOR_CREDENTIALS, endpointCredentials } from '../api-client';
import { formatTrafficProgress, formatTrafficSummary } from '../format/traffic';
import { styleFor } from '../format/style';
import { LiveBlock } from '../live';
import { machineOutput, printResult } from '../output';
import { EXIT_CODES_HELP, ExitCode, UsageError } from '../program';

const EXAMPLES = `
Examples:
  $ fledge traffic orders-api:live --rps 20 --local                  # 30 s against the running \`fledge local\`
  $ fledge traffic orders-api:live --rps 5 --duration 2m --payload '{"path":"/health"}'
  $ fledge traffic orders-api:live --rps 10 --payload @event.json --aws-endpoint http://127.0.0.1:4566
  $ fledge traffic orders-api:live --rps 5 --duration 1m --output json --query byVersion

Each request is a synchronous Invoke of the alias; the version that answered
(X-Amz-Executed-Version) and function errors are counted per version, so you can watch a canary's
share grow and see a broken version's errors. On a terminal the counts are redrawn in place (cut
to its width); piped, one line a second. It runs for --duration, or until Ctrl+C, then prints a
summary. Without --local or --aws-endpoint it invokes your real AWS account (standard credentials,
--profile and --region honoured). --endpoint is fledge's API in every command, so not taken here.
${EXIT_CODES_HELP} Here: 0 ran to the end (or stopped by Ctrl+C), 1 the alias cannot be invoked.`;

interface TrafficCommandOptions {
  rps: number;
  duration: number;
  payload?: string;
  local?: boolean;
  awsEndpoint?: string;
  region?: string;
}

const parseRps = (text: string): number => {
  const rps = Number(text);
  if (!(rps > 0) || !Number.isFinite(rps) || rps > 1000) throw new InvalidArgumentError('must be a number of requests per second, above 0 and at most 1000');
  return rps;
};

const parseSeconds = (text: string): number => {
  const result = parseDuration(/^\d+$/.test(text) ? Number(text) : text);
  if (!result.ok) throw new InvalidArgumentError(result.message);
  if (result.seconds === 0) throw new InvalidArgumentError('must be longer than 0s');
  return result.seconds;
};

async function readPayload(option: string | undefined): Promise<string> {
  if (option === undefined) return '{}';
  let text = option;
  if (option.startsWith('@')) {
    try {
      text = await readFile(option.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the payload file ${option.slice(1)}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--payload must be JSON (or @file with JSON): ${(error as Error).message}`, { cause: error });
  }
  return text;
}

/** Where to send the invocations: the running local mode, an explicit endpoint, or AWS. */
async function clientConfig(options: TrafficCommandOptions): Promise<{ config: LambdaClientConfig; where: string }> {
  if (options.local && options.awsEndpoint) throw new UsageError('--local and --aws-endpoint exclude each other');
  // Traffic never retries: a throttle is a fact to count, not something to hide.
  const common = { maxAttempts: 1 } as const;
  if (options.local) {
    const { findLocalMode } = await import('../../local/discovery');
    const local = await findLocalMode();
    return { config: { ...common, endpoint: local.endpoint, region: options.region ?? local.region, credentials: EMULATOR_CREDENTIALS }, where: `local mode at ${local.endpoint}` };
  }
  const region = await awsRegion(options.region, undefined);
  if (options.awsEndpoint) {
    return { config: { ...common, endpoint: options.awsEndpoint, region: region ?? 'us-east-1', credentials: endpointCredentials() }, where: options.awsEndpoint };
  }
  return { config: { ...common, credentials: awsCredentials(), ...(region ? { region } : {}) }, where: `AWS${region ? ` (${region})` : ''}` };
}

/** `fledge traffic <function>:<alias>`: steady invocations with live per-version counts. */
export function registerTraffic(program: Command): void {
  program
    .command('traffic')
    .description('Invoke a function alias at a steady rate and show which version answered and how often it failed, live and as a summary.')
    .argument('<function:alias>', 'the alias to invoke, e.g. orders-api:live')
    .requiredOption('--rps <n>', 'invocations per second (at most 1000)', parseRps)
    .addOption(new Option('--duration <duration>', 'how long to run: 30s, 5m, 1h…; Ctrl+C stops earlier').argParser(parseSeconds).default(30, '30s'))
    .option('--payload <json|@file>', 'the event sent with every invocation (default {})')
    .option('--local', 'invoke in the running `fledge local` of this directory (npm start)')
    .option('--aws-endpoint <url>', 'invoke through this AWS endpoint (e.g. an embedded AWS: http://127.0.0.1:4566)')
    .addHelpText('after', EXAMPLES)
    .action(async (targetText: string, options: TrafficCommandOptions) => {
      const target = parseAliasTarget(targetText);
      const payload = await readPayload(options.payload);
      const { config, where } = await clientConfig(options);
      const style = styleFor(process.stdout);
      const quiet = machineOutput();
      const live = !quiet && process.stdout.isTTY === true ? new LiveBlock() : undefined;
      // Loaded here: the Lambda client and the traffic generator are this command's alone.
      const [{ LambdaClient }, { startTraffic, TrafficTargetError }] = await Promise.all([import('@aws-sdk/client-lambda'), import('../../local/traffic')]);
      const client = new LambdaClient(config);
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const heading = `fledge traffic: ${options.rps}/s to ${sanitise(`${target.functionName}:${target.alias} (${where})`)} for ${options.duration}s; Ctrl+C stops`;
      if (!quiet) process.stdout.write(`${heading}\n`);
      const run = startTraffic({
        client,
        functionName: target.functionName,
        alias: target.alias,
        rps: options.rps,
        durationMs: options.duration * 1000,
        payload,
        signal: abort.signal,
        // A terminal gets the counts redrawn in place; a pipe or a log one line a second.
        onProgress: (stats) => {
          if (live) live.draw([formatTrafficProgress(stats, style), ...formatTrafficSummary(`${target.functionName}:${target.alias}`, stats, style).trimEnd().split('\n').slice(1)]);
          else if (!quiet) process.stdout.write(`${formatTrafficProgress(stats, style)}\n`);
        },
      });
      try {
        const stats = await run.finished;
        live?.clear();
        printResult({ functionName: target.functionName, alias: target.alias, ...stats }, () => formatTrafficSummary(`${target.functionName}:${target.alias}`, stats, style));
        process.exitCode = ExitCode.ok;
      } catch (error) {
        if (!(error instanceof TrafficTargetError)) throw error;
        live?.done();
        process.stderr.write(`fledge: ${sanitise(error.message)}\n`);
        process.exitCode = ExitCode.failure;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        client.destroy();
      }
    });
}
