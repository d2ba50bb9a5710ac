import type { Command } from 'commander';
import { requireKnownEventTypes, trailWindow, type AuditTrailFilter } from '@trial-ledger/audit';
import { DomainError } from '@trial-ledger/domain';
import { CliError } from '../shared/cli-errors';
import { dateOrInstantOption } from '../shared/option-parsers';

export interface AuditTrailFilterOptions {
  readonly study?: string;
  readonly subject?: string;
  readonly user?: string;
  readonly from?: string;
  readonly to?: string;
  readonly type?: string;
}

/**
 * `--type A,B`: one or more names, none empty (else `CLI.INVALID_OPTION`), every one a type the ledger writes, else a usage error (exit 2,
 * `AUDIT.UNKNOWN_EVENT_TYPE`, with the likeliest meant type and the known ones) before any store is
 * opened — a misspelt type would match nothing and read as "no such entries on record".
 */
const eventTypesOption = (value: string): string => {
  const types = value.split(',').map((t) => t.trim());
  // `--type "$TYPES"` with an empty variable would otherwise filter nothing and print the whole trail; an
  // empty name between commas (`A,`, `A,,B`) is refused as the API refuses it.
  if (types.some((t) => t === '')) {
    throw new CliError(`--type must name one or more event types, comma-separated, none empty (got ${JSON.stringify(value)})`, 2, 'CLI.INVALID_OPTION');
  }
  try {
    requireKnownEventTypes(types);
  } catch (error) {
    if (error instanceof DomainError) throw new CliError(`--type: ${error.message}`, 2, error.code);
    throw error;
  }
  return value;
};

/** The trail's filter options, shared by `audit-trail` and `export audit-trail`. */
export const withTrailFilters = (command: Command): Command =>
  command
    .option('--study <studyId>', 'only this study')
    .option('--subject <subjectId>', 'only this subject')
    .option('--user <user>', 'only events recorded by this user (id or username)')
    .option('--from <instant>', 'recorded at or after (ISO date or date-time, UTC)', dateOrInstantOption('--from', 'AUDIT.INVALID_FILTER'))
    .option('--to <instant>', 'recorded at or before (a date includes the whole day, UTC)', dateOrInstantOption('--to', 'AUDIT.INVALID_FILTER'))
    .option('--type <types>', 'only these event types, comma-separated (e.g. EntryCorrected,EntryVoided); an unknown type is refused', eventTypesOption);

/**
 * `--from` after `--to` is a usage error (exit 2, `AUDIT.INVALID_FILTER`) found before the store is opened:
 * the window can hold nothing whatever the ledger holds, as an impossible date cannot.
 */
export const checkTrailWindow = (o: { readonly from?: string; readonly to?: string }): void => {
  try {
    trailWindow(o);
  } catch (error) {
    if (error instanceof DomainError) throw new CliError(`--from ${o.from ?? ''} lies after --to ${o.to ?? ''}: the window can hold nothing`, 2, error.code);
    throw error;
  }
};

/** The trail filter of the options given, its window checked first (`checkTrailWindow`). */
export const trailFilter = (o: AuditTrailFilterOptions): AuditTrailFilter => {
  checkTrailWindow(o);
  return trailFilterOf(o);
};

const trailFilterOf = (o: AuditTrailFilterOptions): AuditTrailFilter => ({
  ...(o.study !== undefined ? { studyId: o.study } : {}),
  ...(o.subject !== undefined ? { subjectId: o.subject } : {}),
  ...(o.user !== undefined ? { user: o.user } : {}),
  ...(o.from !== undefined ? { from: o.from } : {}),
  ...(o.to !== undefined ? { to: o.to } : {}),
  ...(o.type !== undefined ? { type: o.type } : {}),
});
