// Apart from local/mode.ts so that `fledge local --help` shows them without loading the embedded AWS.
/** Defaults of `fledge local`. */
export const LOCAL_MODE_DEFAULTS = {
  port: 4566,
  apiPort: 4567,
  host: '127.0.0.1',
  /** Relative to the project directory; `--no-persist` keeps everything in memory instead. */
  dataDir: '.fledge/data',
  timeScale: 1,
  /** Subscribed to the approval and notification topics: its mail lands in the embedded SNS outbox. */
  email: 'you@fledge.local',
} as const;

/** The stack local mode stands for, as `fledge stack deploy` names it (service `fledge`, stage `local`): the embedded CloudFormation describes it. */
export const LOCAL_STACK_NAME = 'fledge-local';
