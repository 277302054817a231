import { Command, CommanderError, Option } from 'commander';
import { sanitise } from '../shared/text/sanitise';
import { setGlobals, type OutputFormat } from './globals';

/** Exit codes of every fledge command. */
export const ExitCode = {
  ok: 0,
  /** The command ran and the answer is "no": invalid spec, failed deployment, refused control, a --timeout that ran out. */
  failure: 1,
  /** The command was called wrongly: unknown option, missing argument, unreadable file, local mode not running, no credentials. */
  usage: 2,
  /** Ctrl+C on a command that follows a deployment: it stopped following; the deployment goes on. */
  interrupted: 130,
} as const;

/** Raised by a command for a usage problem it finds itself (a file that cannot be read, …). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The exit codes every command's help ends with, the same words everywhere. */
export const EXIT_CODES_HELP = 'Exit codes: 0 ok, 1 failed or refused, 2 usage error (bad option or argument, local mode not running, no AWS credentials).';

/** Builds the root `fledge` command; each command module adds itself with `register(program)`. */
export function createProgram(version: string): Command {
  const program = new Command('fledge')
    .description('Progressive delivery for AWS Lambda: canary, linear and blue/green deployments with alarms, approvals and automatic rollback.')
    .version(version, '-V, --version', 'print the fledge version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run with --help for usage)')
    // Commander's errors quote the arguments as given: escaped like every other text we print,
    // and under the one prefix of every fledge error (`fledge: …`, not commander's `error: …`).
    .configureOutput({ outputError: (text, write) => write(sanitise(text.replace(/^error: /, 'fledge: '), { keepNewlines: true })) })
    // Each command's help lists the global options too (--output, --query, --profile, …).
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  // Global options: accepted before or after the command's name, with one meaning everywhere.
  program
    .optionsGroup('Global options:')
    .addOption(new Option('-o, --output <format>', 'table for people (text is the same), json or yaml for machines').choices(['table', 'text', 'json', 'yaml']).default('table'))
    .option('--query <jmespath>', 'print only what this JMESPath expression selects from the result (as the AWS CLI), e.g. "[].deploymentId"')
    .option('--profile <name>', 'AWS profile for credentials and region (default: $AWS_PROFILE, then the configuration of `fledge configure`)')
    .option('--region <region>', 'AWS region (default: $AWS_REGION, the profile\'s region, then `fledge configure`)')
    .option('--no-color', 'never colour the output (also NO_COLOR=1; FORCE_COLOR=1 colours even a pipe)')
    .hook('preAction', (root, action) => {
      const options = root.opts<{ output: string; query?: string; profile?: string; region?: string; color: boolean }>();
      const output = (options.output === 'text' ? 'table' : options.output) as OutputFormat;
      setGlobals({
        output,
        ...(options.query !== undefined ? { query: options.query } : {}),
        ...(options.profile !== undefined ? { profile: options.profile } : {}),
        ...(options.region !== undefined ? { region: options.region } : {}),
        ...(options.color === false ? { color: false } : {}),
      });
      // Commands read `options.output` and `options.region` as their own.
      action.setOptionValue('output', output);
      if (options.region !== undefined) action.setOptionValue('region', options.region);
    });
  return program;
}

/** Runs the program and maps every outcome to an exit code, never a stack trace for expected errors. */
export async function run(program: Command, argv: readonly string[]): Promise<number> {
  ignoreClosedPipes();
  for (const command of [program, ...program.commands]) command.exitOverride();
  try {
    await program.parseAsync(argv as string[]);
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof UsageError || (error as Error | undefined)?.name === 'LocalModeNotRunningError') {
      printError((error as Error).message);
      return ExitCode.usage;
    }
    printError(error instanceof Error ? error.message : String(error));
    return ExitCode.failure;
  }
}

/**
 * `fledge history x | head -1`, `| less` quit early, a CI log collector gone: the reader closed
 * the pipe, so there is no one left to tell anything. Exit quietly (status 0, as `head` asked for
 * no more) instead of Node's unhandled `EPIPE` with a stack trace.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') > 0) continue;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(process.exitCode ?? ExitCode.ok);
      throw error;
    });
  }
}

/**
 * Prints `fledge: <message>` to standard error, on one line. Messages echo what they are about —
 * a file name, an S3 key, the API's answer — so control characters and line breaks are escaped.
 */
export function printError(message: string): void {
  process.stderr.write(`fledge: ${sanitise(message)}\n`);
}
