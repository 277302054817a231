import type { Command } from 'commander';

/**
 * The headings of `fledge --help`, by command name. A command not named here is listed under
 * "Other commands:", so adding a command never hides it.
 */
const GROUPS: Readonly<Record<string, string>> = {
  validate: 'Preparing a deployment:',
  plan: 'Preparing a deployment:',
  init: 'Preparing a deployment:',
  deploy: 'Deploying:',
  retry: 'Deploying:',
  status: 'Following deployments:',
  list: 'Following deployments:',
  history: 'Following deployments:',
  traffic: 'Following deployments:',
  approve: 'Operating a deployment:',
  reject: 'Operating a deployment:',
  pause: 'Operating a deployment:',
  resume: 'Operating a deployment:',
  promote: 'Operating a deployment:',
  stop: 'Operating a deployment:',
  rollback: 'Operating a deployment:',
  local: 'Trying fledge locally:',
  'local-aws': 'Trying fledge locally:',
  demo: 'Trying fledge locally:',
  configure: 'Setting up:',
  stack: 'Setting up:',
  completion: 'Setting up:',
};

/** Gives every registered command its heading in `fledge --help`. */
export function groupCommands(program: Command): void {
  for (const command of program.commands) command.helpGroup(GROUPS[command.name()] ?? 'Other commands:');
}
