import { Argument, type Command, type Option } from 'commander';
import { EXIT_CODES_HELP } from '../program';

const HELP = `
Examples:
  $ fledge completion bash > ~/.local/share/bash-completion/completions/fledge
  $ fledge completion zsh > "\${fpath[1]}/_fledge"
  $ fledge completion fish > ~/.config/fish/completions/fledge.fish
  $ source <(fledge completion bash)          # this shell only

Completes command names, their options and global options, and the values of options with
fixed choices (--output table|json|yaml, --via s3|api). Generated from the commands themselves,
so it never lists an option fledge does not have.
${EXIT_CODES_HELP}`;

interface CommandInfo {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionInfo[];
}

interface OptionInfo {
  readonly flags: readonly string[];
  readonly description: string;
  readonly takesValue: boolean;
  readonly choices?: readonly string[];
}

const optionInfo = (option: Option): OptionInfo => ({
  flags: [option.long, option.short].filter((flag): flag is string => typeof flag === 'string'),
  description: option.description.split('\n')[0] ?? '',
  takesValue: option.required || option.optional,
  ...(option.argChoices ? { choices: option.argChoices } : {}),
});

function describe(program: Command): { commands: CommandInfo[]; globals: OptionInfo[] } {
  const commands = program.commands.map((command) => ({ name: command.name(), description: command.description().split('\n')[0] ?? '', options: [...command.options.map(optionInfo), { flags: ['--help', '-h'], description: 'show help', takesValue: false }] }));
  return { commands, globals: program.options.map(optionInfo) };
}

/** Text that is safe inside single quotes of the three shells (a description). */
const single = (text: string) => text.replace(/'/g, '’').replace(/[\r\n]/g, ' ');

function bash(program: Command): string {
  const { commands, globals } = describe(program);
  const valued = [...globals, ...commands.flatMap((c) => c.options)].filter((o) => o.takesValue);
  const choiceCases = [...new Map(valued.filter((o) => o.choices).flatMap((o) => o.flags.map((flag) => [flag, o.choices!] as const))).entries()].map(([flag, choices]) => `    ${flag}) COMPREPLY=( $(compgen -W '${choices.join(' ')}' -- "$cur") ); return ;;`);
  const valueFlags = [...new Set(valued.filter((o) => !o.choices).flatMap((o) => o.flags))];
  return `# bash completion for fledge (fledge completion bash)
_fledge() {
  local cur prev command i opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  command=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) command="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$prev" in
${choiceCases.join('\n')}
    ${valueFlags.join('|') || '--never'}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  if [[ -z "$command" ]]; then
    COMPREPLY=( $(compgen -W '${commands.map((c) => c.name).join(' ')} ${globals.flatMap((o) => o.flags).join(' ')} --help --version' -- "$cur") )
    return
  fi
  case "$command" in
${commands.map((c) => `    ${c.name}) opts='${c.options.flatMap((o) => o.flags).join(' ')}' ;;`).join('\n')}
    *) opts='' ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts ${globals.flatMap((o) => o.flags).join(' ')}" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _fledge fledge
`;
}

const zshEscape = (text: string) => single(text).replace(/([[\]:\\])/g, '\\$1');

function zshOption(option: OptionInfo): string {
  const value = option.takesValue ? (option.choices ? `:value:(${option.choices.join(' ')})` : ':value:_files') : '';
  return option.flags.map((flag) => `'${flag}[${zshEscape(option.description)}]${value}'`).join(' ');
}

function zsh(program: Command): string {
  const { commands, globals } = describe(program);
  return `#compdef fledge
# zsh completion for fledge (fledge completion zsh)
_fledge() {
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${zshEscape(c.description)}'`).join('\n')}
  )
  local -a globals
  globals=(${globals.map(zshOption).join(' ')})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${commands.map((c) => `    ${c.name}) _arguments $globals ${c.options.map(zshOption).join(' ')} '*:file:_files' ;;`).join('\n')}
  esac
}
if [[ $funcstack[1] == _fledge ]]; then _fledge "$@"; else compdef _fledge fledge; fi
`;
}

function fishOption(condition: string, option: OptionInfo): string {
  const long = option.flags.find((flag) => flag.startsWith('--'))?.slice(2);
  const short = option.flags.find((flag) => /^-[^-]$/.test(flag))?.slice(1);
  return `complete -c fledge -n '${condition}'${long ? ` -l ${long}` : ''}${short ? ` -s ${short}` : ''}${option.takesValue ? ' -r' : ''}${option.choices ? ` -f -a '${option.choices.join(' ')}'` : ''} -d '${single(option.description)}'`;
}

function fish(program: Command): string {
  const { commands, globals } = describe(program);
  return [
    '# fish completion for fledge (fledge completion fish)',
    ...commands.map((c) => `complete -c fledge -f -n '__fish_use_subcommand' -a ${c.name} -d '${single(c.description)}'`),
    ...globals.map((o) => fishOption('true', o)),
    ...commands.flatMap((c) => c.options.map((o) => fishOption(`__fish_seen_subcommand_from ${c.name}`, o))),
    '',
  ].join('\n');
}

/** Registers `fledge completion <shell>`. */
export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', HELP)
    .action((shell: 'bash' | 'zsh' | 'fish') => {
      process.stdout.write(shell === 'bash' ? bash(program) : shell === 'zsh' ? zsh(program) : fish(program));
    });
}
