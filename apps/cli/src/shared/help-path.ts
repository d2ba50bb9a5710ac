import type { Command } from 'commander';

/** What `help NAME NAME…` asks for: the arguments to run instead, or the first name that is no subcommand. */
export type HelpPath = { readonly argv: readonly string[] } | { readonly unknown: string };

const optionOf = (cmd: Command, token: string) => {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const option = c.options.find((o) => o.long === token || o.short === token);
    if (option) return option;
  }
  return undefined;
};

const subcommand = (cmd: Command, name: string): Command | undefined => cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));

/**
 * Commander's `help` command reads one name only (`help pfs diff` shows the help of `pfs`). A path of
 * names after `help` is run as `pfs diff --help` instead, so the last name's own help is shown; a name on
 * the path that is no subcommand is reported, not silently dropped. `help NAME` alone is left to commander.
 */
export const helpPath = (program: Command, argv: readonly string[]): HelpPath => {
  let cmd = program;
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i];
    if (token === '--') return { argv };
    if (token.startsWith('-')) {
      const option = optionOf(cmd, token);
      if (option && (option.required || option.optional) && !token.includes('=')) i += 1;
      continue;
    }
    if (token !== 'help') {
      const sub = subcommand(cmd, token);
      if (!sub) return { argv };
      cmd = sub;
      continue;
    }
    const names = argv.slice(i + 1).filter((t) => !t.startsWith('-'));
    if (names.length < 2) return { argv };
    let target = cmd;
    for (const [n, name] of names.entries()) {
      const sub = subcommand(target, name);
      if (!sub) return { unknown: names.slice(0, n + 1).join(' ') };
      target = sub;
    }
    return { argv: [...argv.slice(0, i), ...names, '--help'] };
  }
  return { argv };
};

/**
 * The path of subcommand names the arguments run (`--store x serve --port 0` → `serve`), read before commander
 * parses them: what a refusal raised while parsing (an invalid environment, an option's value) belongs to.
 */
export const invokedCommandPath = (program: Command, argv: readonly string[]): string => {
  const names: string[] = [];
  let cmd = program;
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i];
    if (token === '--') break;
    if (token.startsWith('-')) {
      const option = optionOf(cmd, token);
      if (option && (option.required || option.optional) && !token.includes('=')) i += 1;
      continue;
    }
    const sub = subcommand(cmd, token);
    if (!sub) break;
    names.push(sub.name());
    cmd = sub;
  }
  return names.join(' ');
};
