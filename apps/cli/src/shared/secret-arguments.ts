import type { Command } from 'commander';
import { holdsSecret } from '@trial-ledger/config';
import { terminalSafe } from './output';

/** Every option of the command and of the commands above it, with its value as given on the command line. */
const givenOptions = (action: Command): Array<{ flag: string; value: unknown }> => {
  const given: Array<{ flag: string; value: unknown }> = [];
  for (let command: Command | null = action; command; command = command.parent) {
    const values = command.opts();
    for (const option of command.options) {
      if (option.long && command.getOptionValueSource(option.attributeName()) === 'cli') given.push({ flag: option.long, value: values[option.attributeName()] });
    }
  }
  return given;
};

/** The warning for one option holding a password, naming the option and never the secret. */
export const SECRET_ON_COMMAND_LINE = 'CLI.SECRET_ON_COMMAND_LINE';
export const secretOnCommandLineMessage = (flag: string): string =>
  `${flag} holds a password, which every user of this machine can read in the process list (ps) while the command runs; ` +
  'give the store URL in LEDGER_STORE instead, or leave the password out of the URL and set PGPASSWORD (PostgreSQL), and change the password if others share this machine';

/** The options of the command line (the command's and those above it) whose value holds a password. */
export const secretsOnCommandLine = (action: Command): string[] =>
  givenOptions(action)
    .filter(({ value }) => typeof value === 'string' && holdsSecret(value))
    .map(({ flag }) => flag);

/**
 * Part 11 §11.300(d), credentials kept from others: a command line is readable by every user of the machine
 * (`ps`, /proc/PID/cmdline) for as long as the command runs, so a database password typed into `--store`,
 * `migrate --from` or `--to` is shown to all of them. The run goes on (the password is out already), and
 * stderr says so, naming the option and never the secret, with the ways to keep it off the command line.
 * `serve` says it as a line of its JSON log instead (its stderr is that log alone).
 */
export const warnOfSecretsOnCommandLine = (action: Command): void => {
  if (action.name() === 'serve') return;
  for (const flag of secretsOnCommandLine(action)) {
    process.stderr.write(terminalSafe(`trial-ledger [security] WARNING [${SECRET_ON_COMMAND_LINE}]: ${secretOnCommandLineMessage(flag)}`) + '\n');
  }
};
