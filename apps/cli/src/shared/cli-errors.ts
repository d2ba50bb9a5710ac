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
