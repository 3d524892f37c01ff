/**
 * `completion bash|zsh|fish`: a script that completes the commands and their options, made from the
 * command tree itself, so it never falls behind it. zsh runs the bash one through bashcompinit.
 */
import { Argument, type Command } from 'commander';
import type { CliIO } from '../io.js';

const NAMES = ['agentcore-operator', 'kubectl-agentcore'];

interface CommandWords {
  name: string;
  description: string;
  options: { flags: string[]; description: string }[];
}

function wordsOf(program: Command): CommandWords[] {
  return program.commands
    .filter((c) => c.name() !== 'completion')
    .map((c) => ({
      name: c.name(),
      description: c.description().split(/[.:(]/)[0]!.trim(),
      options: c.options.filter((o) => !o.hidden).map((o) => ({ flags: [o.short, o.long].filter((f): f is string => Boolean(f)), description: o.description })),
    }));
}

function bash(commands: CommandWords[]): string {
  const cases = commands.map((c) => `    ${c.name}) options="${c.options.flatMap((o) => o.flags).join(' ')}" ;;`).join('\n');
  return `# agentcore-operator completion for bash: source <(agentcore-operator completion bash)
_agentcore_operator() {
  local current=\${COMP_WORDS[COMP_CWORD]} options=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name).join(' ')}" -- "$current"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$current" == -* ]]; then COMPREPLY=($(compgen -W "$options" -- "$current")); else COMPREPLY=($(compgen -f -- "$current")); fi
}
complete -o default -F _agentcore_operator ${NAMES.join(' ')}
`;
}

function zsh(commands: CommandWords[]): string {
  return `# agentcore-operator completion for zsh: source <(agentcore-operator completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(commands).split('\n').slice(1).join('\n')}`;
}

function fish(commands: CommandWords[]): string {
  const quote = (text: string) => `'${text.replaceAll("'", "\\'")}'`;
  const lines = NAMES.flatMap((name) => [
    `complete -c ${name} -f`,
    ...commands.map((c) => `complete -c ${name} -n '__fish_use_subcommand' -a ${c.name} -d ${quote(c.description)}`),
    ...commands.flatMap((c) =>
      c.options.map((o) => {
        const long = o.flags.find((f) => f.startsWith('--'));
        const short = o.flags.find((f) => !f.startsWith('--'));
        return `complete -c ${name} -n '__fish_seen_subcommand_from ${c.name}'${long ? ` -l ${long.slice(2)}` : ''}${short ? ` -s ${short.slice(1)}` : ''} -d ${quote(o.description)}`;
      }),
    ),
  ]);
  return `# agentcore-operator completion for fish: agentcore-operator completion fish | source\n${lines.join('\n')}\n`;
}

const SCRIPTS = { bash, zsh, fish };

export function completionCommand(program: Command, io: CliIO): void {
  program
    .command('completion')
    .description('Print a shell completion script: source <(agentcore-operator completion bash), or zsh; fish: agentcore-operator completion fish | source')
    .addArgument(new Argument('<shell>').choices(Object.keys(SCRIPTS)))
    .action((shell: keyof typeof SCRIPTS) => io.out(SCRIPTS[shell](wordsOf(program))));
}
