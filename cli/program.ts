import { Command, CommanderError } from 'commander';
import { sanitise } from '../shared/text/sanitise';

/** Exit codes of every fledge command. */
export const ExitCode = {
  ok: 0,
  /** The command ran and the answer is "no": invalid spec, failed deployment, … */
  failure: 1,
  /** The command was called wrongly: unknown option, missing argument, unreadable file. */
  usage: 2,
} as const;

/** Raised by a command for a usage problem it finds itself (a file that cannot be read, …). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Builds the root `fledge` command; each command module adds itself with `register(program)`. */
export function createProgram(version: string): Command {
  return new Command('fledge')
    .description('Progressive delivery for AWS Lambda: canary, linear and blue/green deployments with alarms, approvals and automatic rollback.')
    .version(version, '-V, --version', 'print the fledge version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run with --help for usage)')
    // Commander's errors quote the arguments as given: escaped like every other text we print.
    .configureOutput({ outputError: (text, write) => write(sanitise(text, { keepNewlines: true })) })
    .exitOverride();
}

/** Runs the program and maps every outcome to an exit code, never a stack trace for expected errors. */
export async function run(program: Command, argv: readonly string[]): Promise<number> {
  for (const command of [program, ...program.commands]) command.exitOverride();
  try {
    await program.parseAsync(argv as string[]);
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof UsageError) {
      printError(error.message);
      return ExitCode.usage;
    }
    printError(error instanceof Error ? error.message : String(error));
    return ExitCode.failure;
  }
}

/**
 * Prints `fledge: <message>` to standard error, on one line. Messages echo what they are about —
 * a file name, an S3 key, the API's answer — so control characters and line breaks are escaped.
 */
export function printError(message: string): void {
  process.stderr.write(`fledge: ${sanitise(message)}\n`);
}
