import type { Command, Option } from 'commander';
import { isIsoDate, isIsoInstant } from '@trial-ledger/domain';
import { normaliseInstant, notInFuture } from '@trial-ledger/projections';
import { CliError, describeError } from './cli-errors';

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

/**
 * `--as-known-at` and its kin: a calendar date or an instant with its zone, not after the current time
 * (`REPLAY.AS_KNOWN_AT_IN_FUTURE`: what the ledger will know then is not known yet).
 */
export const asKnownAtOption =
  (option: string) =>
  (value: string): string => {
    dateOrInstantOption(option, 'REPLAY.INVALID_AS_KNOWN_AT')(value);
    const instant = normaliseInstant(value)!;
    try {
      notInFuture(instant, new Date().toISOString());
    } catch (error) {
      // Today's date is the commonest case: it reads as "now" to whoever types it, but means the end of the day.
      const bareDate = isIsoDate(value) ? ` (a bare date means the end of that UTC day, ${instant}: give an instant up to now, ${value}Thh:mm:ssZ)` : '';
      throw new CliError(`${option} ${value} lies after the current time${bareDate}: what the ledger will know then is not known yet`, 2, describeError(error).code);
    }
    return value;
  };

/**
 * A file an output option names (`--out`, `--define`, `--plot`, `--copy-to`, `--export-public-key`). An
 * empty or blank value — an unset variable in `--out "$FILE"` — is a usage error: read as no option, it
 * sent an export to stdout (into a script's log) and recorded it, or skipped the dictionary asked for.
 */
export const outputFileOption =
  (option: string) =>
  (value: string): string => {
    if (value.trim() === '') throw new CliError(`${option} needs a file name (got ${JSON.stringify(value)}); leave the option out for its default`, 2, 'CLI.INVALID_OPTION');
    return value;
  };

/** Options meant to be given more than once (`checkpoint --copy-to A --copy-to B`): each value is kept. */
const REPEATABLE = new WeakSet<Option>();

/** Marks `option` as one that collects a value per occurrence. */
export const repeatable = (option: Option): Option => {
  REPEATABLE.add(option);
  return option;
};

/**
 * Refuses (`CLI.OPTION_REPEATED`, exit 2) an option given twice with two values, on `cmd` and every
 * command below it. Commander keeps the last one silently, so `export audit-trail --subject S001
 * --subject S002` would export (and record as exported) S002 alone while its user believed both were
 * in the copy. The same value twice is one value; options marked `repeatable` collect each one.
 */
export const refuseRepeatedOptions = (cmd: Command): void => {
  for (const option of cmd.options) {
    if (!(option.required || option.optional) || option.variadic || REPEATABLE.has(option)) continue;
    let seen: { value: unknown } | null = null;
    cmd.on(`option:${option.name()}`, (value: unknown) => {
      if (seen !== null && seen.value !== value) {
        throw new CliError(`${option.long ?? option.flags} was given twice, as ${String(seen.value)} and as ${String(value)}; give it once`, 2, 'CLI.OPTION_REPEATED');
      }
      seen = { value };
    });
  }
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
};
