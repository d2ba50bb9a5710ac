import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands';
import { describeError } from './shared/cli-errors';

/** The `trial-ledger` program with every registered command (built fresh for each run and each test). */
export const buildProgram = (): Command => {
  const program = new Command('trial-ledger')
    .description('Event-sourced, tamper-evident audit ledger for clinical trials')
    .version(process.env.npm_package_version ?? '0.1.0')
    .option('--store <url>', 'ledger store: sqlite:FILE, postgres://…, kurrentdb://… (default: $LEDGER_STORE or sqlite:./data/ledger.sqlite)')
    .option('--as <username>', 'acting user (password from $TRIAL_LEDGER_PASSWORD or a prompt)')
    .option('--json', 'machine-readable output')
    .option('--key-dir <dir>', 'directory of the ledger signing key and pinned keys (default: $TRIAL_LEDGER_KEY_DIR or ~/.config/trial-ledger)')
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
};

/** Runs the CLI; resolves to the exit status (0 only on success). */
export const runCli = async (argv: readonly string[]): Promise<number> => {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const { code, message, details } = describeError(error);
    const json = argv.includes('--json');
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message, details } })}\n`);
    else process.stderr.write(`trial-ledger: ${message} [${code}]\n`);
    const exit = (error as { exitCode?: unknown }).exitCode;
    return typeof exit === 'number' ? exit : 1;
  }
};
