/** How a command's result is printed: a table (or text) for people, JSON or YAML for machines. */
export type OutputFormat = 'table' | 'json' | 'yaml';

/** The global options of one `fledge` run (see cli/program.ts), set before the command runs. */
export interface Globals {
  readonly output: OutputFormat;
  /** A JMESPath expression applied to the result before it is printed. */
  readonly query?: string;
  readonly profile?: string;
  readonly region?: string;
  /** `--no-color`: false. Absent: decided by FORCE_COLOR, NO_COLOR and whether the stream is a terminal. */
  readonly color?: false;
}

let current: Globals = { output: 'table' };

/** Records the global options (called once, before the command's action). */
export function setGlobals(globals: Globals): void {
  current = globals;
  // The AWS SDK's credential chain and region lookup read the profile from the environment.
  if (globals.profile !== undefined) process.env['AWS_PROFILE'] = globals.profile;
}

/** The global options of this run. */
export function globals(): Globals {
  return current;
}
