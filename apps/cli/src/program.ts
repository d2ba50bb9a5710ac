import { Command, CommanderError, type Help, type Option } from 'commander';
import { ledgerConfig } from '@trial-ledger/config';
import { COMMANDS } from './commands';
import { CliError, describeError, isLogged, markLogged, usageErrorCode, usageErrorMessage } from './shared/cli-errors';
import { globalOptions } from './shared/cli-context';
import { terminalSafe } from './shared/output';
import { helpPath, invokedCommandPath } from './shared/help-path';
import { logRefusedStart } from './serve/serve-log';
import { refuseRepeatedOptions } from './shared/option-parsers';
import { assertLedgerFilesApart } from './shared/output-policy';
import { warnOfSecretsOnCommandLine } from './shared/secret-arguments';

/**
 * Commands that act as a logged-in user and so take `--as` (with the password from
 * `TRIAL_LEDGER_PASSWORD` or a prompt): those that record something in the user's name, exports and
 * reports included (each is recorded as DataExported), and the monitor's query reads (clinical data, by
 * role). Every other command acts as no signed-in user (it reads, signs with the ledger key, or records as
 * the system, the demo team or the first administrator) and refuses `--as` (see the README).
 */
const ACTING_USER_COMMANDS: ReadonlySet<string> = new Set(['users', 'study', 'import', 'export', 'report', 'query', 'sdv']);
const NO_ACTING_USER: ReadonlySet<string> = new Set(['users create-admin', 'study show']);

/** `users add` → `users add`: the command's path below the program, for the two sets above. */
const pathOf = (cmd: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/**
 * Global options shown in a subcommand's `--help` (commander's "Global Options" section): the program's
 * own — `--store`, `--json` and `--key-dir` everywhere, `--as` only where a command acts as a user, never
 * `--version`. A parent command's options (`pfs --plot`, `audit-trail --subject`) are not global: the
 * subcommand refuses them, so its help does not offer them.
 */
const visibleGlobalOptions = (cmd: Command): Option[] => {
  const actsAsUser = actsAsUserAt(pathOf(cmd));
  let program = cmd;
  while (program.parent) program = program.parent;
  if (program === cmd) return [];
  return program.options.filter((o) => !o.hidden && o.long !== '--version' && (o.long !== '--as' || actsAsUser));
};

const actsAsUserAt = (path: string): boolean => ACTING_USER_COMMANDS.has(path.split(' ')[0]) && !NO_ACTING_USER.has(path);

/**
 * `--as` on a command that never acts as a user (`verify --as mona`) is a usage error, never ignored:
 * whoever typed it believes the run is attributed to that user, or checked against their role, and it
 * is neither.
 */
const refuseUnusedActingUser = (action: Command): void => {
  const path = pathOf(action);
  if (globalOptions(action).as === undefined || actsAsUserAt(path)) return;
  throw new CliError(`${path} does not act as a user: nothing it does is done in the name of --as ${globalOptions(action).as ?? ''}; run it without --as`, 2, 'CLI.ACTING_USER_NOT_USED');
};

/** The `trial-ledger` program with every registered command (built fresh for each run and each test). */
export const buildProgram = (): Command => {
  const program = new Command('trial-ledger')
    .description('Event-sourced, tamper-evident audit ledger for clinical trials')
    .version(process.env.npm_package_version ?? '0.1.0')
    .option('--store <url>', 'ledger store: sqlite:FILE, postgres://…, kurrentdb://… (default: $LEDGER_STORE or sqlite:./data/ledger.sqlite)')
    .option('--as <username>', 'acting user (password from $TRIAL_LEDGER_PASSWORD or a prompt)')
    .option('--json', 'machine-readable output')
    .option('--key-dir <dir>', 'directory of the ledger signing key and pinned keys (default: $TRIAL_LEDGER_KEY_DIR, else $XDG_CONFIG_HOME/trial-ledger or ~/.config/trial-ledger)')
    // Before the commands are registered: subcommands copy the help configuration when created.
    .configureHelp({ showGlobalOptions: true, visibleGlobalOptions } as Partial<Help>)
    .showHelpAfterError()
    // Commander quotes the offending argument (`unknown option '…'`): shown escaped, never acted on by the terminal.
    .configureOutput({ outputError: (text, write) => write(terminalSafe(text, true)) })
    .exitOverride()
    // The environment is checked before any command runs (not for --help): an invalid value is a
    // start-up error (CONFIG.INVALID, exit 2), never a silent default; so is a key, checkpoint or trust
    // file placed on another of the ledger's files (CONFIG.FILE_CLASH); and first, --as on a command that
    // does not act as a user (CLI.ACTING_USER_NOT_USED).
    .hook('preAction', (_program, action) => {
      warnOfSecretsOnCommandLine(action);
      refuseUnusedActingUser(action);
      ledgerConfig(process.env);
      assertLedgerFilesApart(globalOptions(action));
    });
  for (const register of COMMANDS) register(program);
  refuseRepeatedOptions(program);
  codeUsageErrors(program);
  return program;
};

/**
 * Commander's usage errors (an unknown option or command, a missing argument) carry a stable code as every
 * other refusal does, at the end of their first line (`error: unknown option '--subjet' [CLI.UNKNOWN_OPTION]`),
 * so a script or a support note can rely on it; `runCli` prints them as JSON errors under `--json`.
 */
const codeUsageErrors = (cmd: Command): void => {
  const report = cmd.error.bind(cmd);
  cmd.error = (message: string, options?: { code?: string; exitCode?: number }): never => {
    const [first, ...rest] = message.split('\n');
    return report([`${first} [${usageErrorCode(options?.code)}]`, ...rest].join('\n'), options);
  };
  for (const sub of cmd.commands) codeUsageErrors(sub);
};

/** A write to a reader that has gone away (`trial-ledger audit-trail | head`): not a failure of the command. */
const isBrokenPipe = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
};

/** Runs the CLI; resolves to the exit status (0 only on success). */
export const runCli = async (argv: readonly string[]): Promise<number> => {
  const program = buildProgram();
  // Without a listener, EPIPE on stdout is an uncaught error with a stack trace. The reader chose to
  // stop reading (`| head`): end quietly, like any Unix filter, keeping a status the command set itself.
  let stdoutClosed = false;
  const onStdoutError = (error: unknown): void => {
    if (isBrokenPipe(error)) stdoutClosed = true;
    else throw error;
  };
  process.stdout.on('error', onStdoutError);
  try {
    const asked = helpPath(program, argv);
    if ('unknown' in asked) throw new CliError(`help: unknown command '${asked.unknown}' (see trial-ledger help)`, 2, 'CLI.UNKNOWN_COMMAND');
    await program.parseAsync(asked.argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      // The parser has written the message and the usage to stderr; under --json stdout gets the error document too.
      // `help NAME` naming no command prints the usage alone (commander.help, exit 1): say what was asked.
      const unknownHelp = error.code === 'commander.help' ? argv[argv.lastIndexOf('help') + 1] : undefined;
      const code = unknownHelp === undefined ? usageErrorCode(error.code) : 'CLI.UNKNOWN_COMMAND';
      const message = unknownHelp === undefined ? usageErrorMessage(error.message, code) : `help: unknown command '${unknownHelp}' (the commands are listed above)`;
      if (unknownHelp !== undefined) process.stderr.write(`trial-ledger: ${terminalSafe(message)} [${code}]\n`);
      // serve's stderr is its JSON log (serve's own parser writes nothing): the usage error is a line of it.
      else if (invokedCommandPath(program, argv) === 'serve') logRefusedStart(code, message, 2);
      if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
      return 2;
    }
    if (stdoutClosed || isBrokenPipe(error)) return typeof process.exitCode === 'number' ? process.exitCode : 0;
    const { code, message, details } = describeError(error);
    const json = argv.includes('--json');
    const exit = (error as { exitCode?: unknown }).exitCode;
    const status = typeof exit === 'number' ? exit : 1;
    // Refused before serve opened its log (the environment, an option's value): a line of that log all the same.
    if (!isLogged(error) && invokedCommandPath(program, argv) === 'serve') {
      logRefusedStart(code, message, status);
      markLogged(error);
    }
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message, details } })}\n`);
    // A message may quote what was typed or read (an unknown name, a file's line): never raw escape sequences.
    // serve's refusal is already a line of its JSON log on stderr.
    else if (!isLogged(error)) process.stderr.write(`trial-ledger: ${terminalSafe(message)} [${terminalSafe(code)}]\n`);
    return status;
  } finally {
    process.stdout.off('error', onStdoutError);
  }
};
