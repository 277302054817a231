import { Option, type Command } from 'commander';
import { isAbsolute, relative } from 'node:path';
import { sanitise } from '../../shared/text/sanitise';
import { readFile } from 'node:fs/promises';
import type { LocalMode, LocalModeOptions } from '../../local/mode';
import { LOCAL_MODE_DEFAULTS } from '../../local/mode-defaults';
import { loadEmbeddedAws } from '../embedded-aws-loader';
import { styleFor, type Style } from '../format/style';
import { ExitCode, UsageError } from '../program';
import { isLoopback, parsePort, parseTimeScale } from '../local-options';

const EXAMPLES = `
Examples:
  $ npm start                                   # the same as: fledge local
  $ fledge local --time-scale 0.01              # 100x faster: a 10-minute canary takes 6 s
  $ fledge local --no-persist --port 0 --api-port 0
  $ fledge local --notification-webhooks hooks.json   # also post every event to these webhooks
  $ curl http://127.0.0.1:4566/_fledge/notifications/outbox   # every notification sent so far

fledge local runs fledge's whole control plane on an embedded AWS in this process: the artifacts
bucket, the deployments table, the topics, the state machine from state-machines/ with fledge's
own functions as its tasks, the safety net, and the deployments API with the approval pages.
No AWS account, no Docker, no network. Other commands reach it with --local (through
.fledge/local.json). Every notification is printed here as it goes out: the e-mails (approval
requests with their links), each event put on the embedded EventBridge bus, and each try of an
outgoing webhook or GitHub deployment status; all are kept in the outbox (docs/local.md).
Exit codes: 0 stopped by Ctrl+C or SIGTERM, 1 could not start (e.g. the data directory is in use by
another fledge local), 2 usage error (bad option, port already in use).`;

interface LocalCommandOptions {
  port: number;
  apiPort: number;
  host: string;
  dataDir: string;
  persist: boolean;
  timeScale: number;
  email: string;
  verbose?: boolean;
  notificationWebhooks?: string;
  githubApiUrl?: string;
}


/** `fledge local`: fledge on an embedded AWS, in the foreground until SIGINT or SIGTERM. */
export function registerLocal(program: Command): void {
  program
    .command('local')
    .description('Run fledge locally with no AWS account: the embedded AWS, the control plane on it, the deployments API and the approval pages.')
    .addOption(new Option('--port <port>', 'port of the embedded AWS endpoint (AWS_ENDPOINT_URL); 0 picks a free one').argParser(parsePort).default(LOCAL_MODE_DEFAULTS.port))
    .addOption(new Option('--api-port <port>', 'port of the deployments API and approval pages; 0 picks a free one').argParser(parsePort).default(LOCAL_MODE_DEFAULTS.apiPort))
    .option('--host <address>', 'address to listen on; anything but loopback exposes endpoints WITHOUT authentication', LOCAL_MODE_DEFAULTS.host)
    .option('--data-dir <dir>', 'where deployments, functions and artifacts are kept across restarts', LOCAL_MODE_DEFAULTS.dataDir)
    .option('--no-persist', 'keep everything in memory: nothing survives a restart')
    .addOption(new Option('--time-scale <scale>', 'real seconds per simulated second: 0.01 makes one simulated second last 10 ms').argParser(parseTimeScale).default(LOCAL_MODE_DEFAULTS.timeScale))
    .option('--email <address>', 'address subscribed to approval requests and notifications (they land in the local outbox)', LOCAL_MODE_DEFAULTS.email)
    .option('--notification-webhooks <file>', 'a JSON list of outgoing webhooks every event is posted to, as the stack\'s NotificationWebhooksParameter: [{"url": "https://…", "format": "json|slack|teams", "events": "all"}]')
    .option('--github-api-url <url>', 'GitHub\'s API (or a stand-in) for deployment statuses of specs with source.github; the token is FLEDGE_GITHUB_TOKEN\'s')
    .option('--verbose', 'also print the embedded AWS\'s log (failed deliveries, function output) and the JSON log lines of fledge\'s task functions to standard error')
    .addHelpText('after', EXAMPLES)
    .action(async (options: LocalCommandOptions) => {
      // Listen for the stop signals first: a Ctrl+C during start-up stops cleanly once it is up.
      const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      // Its own chunk of the bundle, loaded by this command only (cli/embedded-aws-loader.ts).
      const { startLocalMode } = await loadEmbeddedAws('fledge local', () => import('../../local/mode'));
      // Loaded here, not at start-up: `fledge --version` and `validate` load nothing of local mode.
      const [{ LocalAwsStartError }, { watchOutbox }, { formatEmail }, { formatDelivery, printsDelivery }, { DEMO_EXAMPLES }] = await Promise.all([
        import('@fledge-local/embedded-aws/errors'),
        import('../../local/outbox-watch'),
        import('../format/email'),
        import('../format/notification'),
        import('../demo/examples-path'),
      ]);
      // The task functions log JSON lines for CloudWatch Logs; here they would bury the e-mails.
      if (!options.verbose) process.env['FLEDGE_LOG'] ??= 'off';
      const style = styleFor(process.stdout);
      const notifications = await notificationChannels(options);
      if (!isLoopback(options.host)) {
        process.stderr.write(`fledge local: WARNING: listening on ${options.host}, not loopback: anyone who can reach it can deploy, approve and use this embedded AWS, which has no authentication.\n`);
      }
      process.stdout.write(`fledge local: starting (embedded AWS, control plane, API)…\n`);
      let mode: LocalMode;
      try {
        mode = await startLocalMode({
          port: options.port,
          apiPort: options.apiPort,
          host: options.host,
          dataDir: options.persist ? options.dataDir : null,
          timeScale: options.timeScale,
          email: options.email,
          ...(notifications ? { notifications } : {}),
          // Kept in any case (GET /_fledge/log, and the log file with a data directory); printed with --verbose.
          ...(options.verbose ? { aws: { log: (message: string) => process.stderr.write(`${sanitise(message, { keepNewlines: true })}\n`) } } : {}),
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code ?? ((error as Error).cause as { code?: unknown } | undefined)?.code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          const hint = code === 'EADDRINUSE' ? ' (something else is listening there, maybe another fledge local: stop it, or pick other ports with --port/--api-port, 0 for any free one)' : '';
          throw new UsageError(`${(error as Error).message}${hint}`, { cause: error });
        }
        if (error instanceof LocalAwsStartError && options.persist) {
          throw new Error(`${error.message} (is another fledge local using ${options.dataDir}? Stop it, or use another --data-dir, or --no-persist)`, { cause: error });
        }
        throw error;
      }
      process.stdout.write(banner(mode, options, style, DEMO_EXAMPLES));
      const stopWatching = watchOutbox(mode.aws.endpoint, (email) => process.stdout.write(formatEmail(email, style)));
      // In this process: each try is printed as it happens, in order.
      const stopPrinting = mode.notificationOutbox?.subscribe((delivery) => {
        if (printsDelivery(delivery)) process.stdout.write(formatDelivery(delivery, style));
      });
      const signal = await stopRequested;
      process.stdout.write(`fledge local: ${signal}: stopping…\n`);
      stopWatching();
      stopPrinting?.();
      await mode.stop();
      process.stdout.write('fledge local: stopped\n');
      process.exitCode = ExitCode.ok;
    });
}

/**
 * The channels of `--notification-webhooks` and `--github-api-url` (token: `FLEDGE_GITHUB_TOKEN`,
 * never a flag: flags show in the process list). A file that cannot be read or a list that is not
 * valid is a usage error naming the file and the entry, before anything starts.
 */
async function notificationChannels(options: LocalCommandOptions): Promise<LocalModeOptions['notifications'] | undefined> {
  const token = process.env['FLEDGE_GITHUB_TOKEN'];
  let webhooks: string | undefined;
  if (options.notificationWebhooks !== undefined) {
    const file = options.notificationWebhooks;
    try {
      webhooks = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--notification-webhooks ${sanitise(file)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, { cause: error });
    }
    const { parseNotificationWebhooks } = await import('../../shared/config/notification-webhooks');
    try {
      parseNotificationWebhooks(webhooks);
    } catch (error) {
      throw new UsageError(`--notification-webhooks ${sanitise(file)}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (options.githubApiUrl !== undefined && !/^https?:\/\/\S+$/.test(options.githubApiUrl)) throw new UsageError(`--github-api-url must be an http(s) URL, got "${sanitise(options.githubApiUrl).slice(0, 80)}"`);
  if (webhooks === undefined && !token) return undefined;
  return { ...(webhooks === undefined ? {} : { webhooks }), ...(token ? { githubToken: token } : {}), ...(options.githubApiUrl ? { githubApiUrl: options.githubApiUrl } : {}) };
}

function banner(mode: LocalMode, options: LocalCommandOptions, style: Style, DEMO_EXAMPLES: string): string {
  const { discovery } = mode;
  const scale = options.timeScale === 1 ? '1 (real time)' : `${options.timeScale} (one simulated second lasts ${+(1000 * options.timeScale).toPrecision(6)} ms)`;
  const where = isLoopback(options.host) ? 'loopback only' : style.yellow(`on ${options.host}: NO authentication`);
  // A path that works from here: examples/demo in the checkout, node_modules/fledge-deploy/examples/demo
  // in a project that installed the package, the full path from anywhere else.
  const fromHere = relative(process.cwd(), DEMO_EXAMPLES);
  const examples = fromHere.startsWith('..') || isAbsolute(fromHere) ? DEMO_EXAMPLES.replace(/[\\/]$/, '') : fromHere;
  const dataDir = discovery.dataDir ? `${relative(process.cwd(), discovery.dataDir) || '.'} (kept across restarts; --no-persist for none)` : 'in memory (gone when it stops)';
  return [
    style.bold(`fledge local: fledge is running on an embedded AWS (no AWS account involved)`),
    '',
    `  AWS endpoint   ${discovery.endpoint}  (${where}; S3, DynamoDB, Lambda, CloudWatch, SNS, Step Functions)`,
    `  API            ${discovery.apiUrl || style.yellow('not available')}  (deployments API and approval pages)`,
    `  bucket         ${discovery.bucket}  (a spec dropped under deployments/ starts a deployment)`,
    `  table          ${discovery.tableName}`,
    `  state machine  ${discovery.stateMachineArn}`,
    `  data           ${dataDir}`,
    `  time scale     ${scale}`,
    `  e-mail         approval requests and notifications to ${mode.email} are printed below as they arrive`,
    `                 (also: GET ${discovery.outboxUrl}${discovery.dataDir ? `, and files under ${relative(process.cwd(), discovery.dataDir) || '.'}/sns/outbox/` : ''})`,
    `  notifications  every event as it goes out (EventBridge bus, webhooks, GitHub) is printed below too`,
    `                 (also: GET ${discovery.endpoint}/_fledge/notifications/outbox and /_fledge/events/events)`,
    `  discovery      ${mode.discoveryFile ? relative(process.cwd(), mode.discoveryFile) : '-'}  (how --local commands find all of this)`,
    `  AWS log        ${mode.aws.logFile ? `${relative(process.cwd(), mode.aws.logFile)} and ` : ''}GET ${discovery.endpoint}/_fledge/log  (failed deliveries and retries${options.verbose ? '; also printed here' : '; --verbose prints them here'})`,
    '',
    'Try it, in another terminal of this directory:',
    `  npx fledge deploy ${examples}/hello-v1.yaml --local --wait   # first deployment: creates the function`,
    `  npx fledge traffic hello-fledge:live --rps 20 --duration 10m --local   # (a third terminal) which version answers`,
    `  npx fledge deploy ${examples}/hello-v2.yaml --local --wait   # a canary that waits for your approval: the link appears here`,
    `  npx fledge history hello-fledge --local`,
    '',
    'Or use any AWS SDK or the AWS CLI with:',
    `  export AWS_ENDPOINT_URL=${discovery.endpoint} AWS_REGION=${discovery.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
