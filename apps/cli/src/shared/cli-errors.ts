import { explainStoreError } from '@trial-ledger/event-store';

/** A failure the CLI reports and turns into a non-zero exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly code = 'CLI.FAILED',
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A stable code and a message from any error, for human and `--json` output alike. */
/** Errors a command has already written to its own log (`serve`'s JSON log): not printed again as a plain line. */
const loggedErrors = new WeakSet<object>();
export const markLogged = (error: unknown): void => {
  if (error !== null && typeof error === 'object') loggedErrors.add(error);
};
export const isLogged = (error: unknown): boolean => error !== null && typeof error === 'object' && loggedErrors.has(error);

export const describeError = (thrown: unknown): { code: string; message: string; details?: unknown } => {
  const error = explainStoreError(thrown);
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown; details?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'INTERNAL.ERROR';
    return { code, message: typeof e.message === 'string' ? e.message : String(error), details: e.details };
  }
  return { code: 'INTERNAL.ERROR', message: String(error) };
};

/** Commander's own usage errors (an unknown option or command, a missing argument) → the stable codes users see. */
const USAGE_CODES: Readonly<Record<string, string>> = {
  'commander.unknownOption': 'CLI.UNKNOWN_OPTION',
  'commander.unknownCommand': 'CLI.UNKNOWN_COMMAND',
  'commander.optionMissingArgument': 'CLI.OPTION_ARGUMENT_MISSING',
  'commander.missingMandatoryOptionValue': 'CLI.OPTION_REQUIRED',
  'commander.missingArgument': 'CLI.ARGUMENT_MISSING',
  'commander.excessArguments': 'CLI.EXCESS_ARGUMENTS',
  'commander.conflictingOption': 'CLI.CONFLICTING_OPTIONS',
  'commander.invalidArgument': 'CLI.INVALID_OPTION',
};

/** The stable code of a usage error the command-line parser found (`CLI.USAGE` for one it names no other way). */
export const usageErrorCode = (commanderCode: string | undefined): string => USAGE_CODES[commanderCode ?? ''] ?? 'CLI.USAGE';

/** Commander's message (`error: unknown command 'verfy'` and its suggestion) as one line, without the prefix and code. */
export const usageErrorMessage = (message: string, code: string): string =>
  message
    .replace(/^error: /, '')
    .replace(` [${code}]`, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
