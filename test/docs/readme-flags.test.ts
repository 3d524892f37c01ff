/**
 * The README and the CLI agree: every option of every command (by its long name or its short one) is
 * in the README, and every flag the README's tables list is an option some command has.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, repoRoot } from '../helpers/cli.js';

const README = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** Each option line of a command's help: its short and long names. */
async function optionsOf(command: string): Promise<{ short?: string; long: string }[]> {
  const help = (await cli([command, '--help'])).out;
  const block = help.slice(help.indexOf('Options:'), help.includes('Commands:') ? help.indexOf('Commands:') : undefined);
  return [...block.matchAll(/^ {2}(?:(-\w), )?(--[a-z][a-z0-9-]*)/gm)].map((m) => ({ short: m[1], long: m[2]! })).filter((o) => o.long !== '--help');
}

const commandsOf = async () => [...(await cli(['--help'])).out.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');

/** A flag written in the README as a word of its own (`--prune`, `apply --plan`, `--source NAME`, `-A/--all-namespaces`). */
const inReadme = (flag: string) => new RegExp(`(?<=[\` /(])${flag.replace(/[-/]/g, '\\$&')}(?=[\` =/)\n,.])`).test(README);

describe('README and --help', () => {
  test('every option of every command is in the README', async () => {
    const missing: string[] = [];
    for (const command of await commandsOf()) {
      for (const option of await optionsOf(command)) {
        if (!inReadme(option.long) && !(option.short && inReadme(option.short))) missing.push(`${command} ${option.long}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("every flag in the README's tables is an option of a command", async () => {
    const known = new Set<string>();
    for (const command of await commandsOf()) for (const option of await optionsOf(command)) known.add(option.long);
    const tabled = [...README.matchAll(/^\| (.*?) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`(--[a-z][a-z0-9-]*)/g)].map((f) => f[1]!));
    expect(tabled.length).toBeGreaterThan(20);
    expect(tabled.filter((f) => !known.has(f))).toEqual([]);
  });
});
