/** `completion bash|zsh|fish` through the built CLI; the bash script is sourced by a real bash and asked to complete. */
import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { cliProcess, repoRoot, run } from '../helpers/cli.js';

const main = join(repoRoot, 'dist', 'cli', 'main.js');

/** What bash's completion offers for the words typed so far (the last one being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const script = `source <('${process.execPath}' '${main}' completion bash); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _agentcore_operator; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = await run('bash', ['-c', script], { ...process.env });
  return result.stdout.split('\n').filter(Boolean);
}

describe('completion', () => {
  test('bash completes the commands, and each command\'s own options', async () => {
    expect(await complete('agentcore-operator', 'pl')).toEqual(['plan']);
    expect(await complete('agentcore-operator', 're')).toEqual(['reconcile', 'resume']);
    expect(await complete('agentcore-operator', 'plan', '--det')).toEqual(['--detailed-exitcode']);
    expect(await complete('kubectl-agentcore', 'get', '--all')).toEqual(['--all-namespaces']);
  });

  test('zsh reuses the bash script through bashcompinit; fish gets one complete line per command and option', () => {
    expect(cliProcess(['completion', 'zsh']).out).toMatch(/^# agentcore-operator completion for zsh.*\nautoload -U \+X bashcompinit && bashcompinit\n_agentcore_operator\(\) \{/);
    const fish = cliProcess(['completion', 'fish']).out;
    expect(fish).toContain("complete -c agentcore-operator -n '__fish_use_subcommand' -a plan -d 'Show what apply would change, field by field, without changing anything'");
    expect(fish).toContain("complete -c agentcore-operator -n '__fish_seen_subcommand_from plan' -l detailed-exitcode");
  });

  test('another shell is refused with the ones there are', () => {
    expect(cliProcess(['completion', 'tcsh'])).toMatchObject({ code: 1, err: "error: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.\n" });
  });
});
