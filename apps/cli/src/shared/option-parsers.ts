import { isIsoDate, isIsoInstant } from '@trial-ledger/domain';
import { CliError } from './cli-errors';

/**
 * Option values checked while the command line is parsed, so an impossible value is a usage error
 * (exit 2, with the code the library would give, e.g. `PFS.INVALID_CUTOFF`) before any store is opened — the same rules the API applies to its
 * query parameters, never a `Date` parser that rolls 2026-02-30 over into March.
 */
export const calendarDateOption =
  (option: string, code = 'CLI.INVALID_OPTION') =>
  (value: string): string => {
    if (!isIsoDate(value)) throw new CliError(`${option} must be a real calendar date YYYY-MM-DD (got ${value})`, 2, code);
    return value;
  };

/** A calendar date or an ISO 8601 instant with its zone (`--as-known-at`, `--from`, `--to`). */
export const dateOrInstantOption =
  (option: string, code = 'CLI.INVALID_OPTION') =>
  (value: string): string => {
    if (!isIsoDate(value) && !isIsoInstant(value)) {
      throw new CliError(`${option} must be a real calendar date YYYY-MM-DD or an ISO 8601 date-time with a zone (got ${value})`, 2, code);
    }
    return value;
  };
