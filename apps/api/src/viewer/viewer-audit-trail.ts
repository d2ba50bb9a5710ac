import { normaliseInstant, trailTypeList, type AuditTrailRow } from '@trial-ledger/audit';
import { invalid, ROLES, type Role } from '@trial-ledger/domain';
import { utc } from './viewer-format';
import type { EventStore } from '@trial-ledger/event-store';
import { CHANGE_EVENT_TYPES, type AuditIndexQuery, type AuditTrailIndexStore } from '@trial-ledger/projections';
import { indexedTrailRows, rowsOfIndex } from '@trial-ledger/audit';

/** Rows per page of the trail. */
export const TRAIL_PAGE_SIZE = 50;
/** The trail opens on the last week: what an auditor reviews first, and a bounded read of the log. */
export const DEFAULT_TRAIL_DAYS = 7;

export interface ViewerTrailFilter {
  readonly studyId: string;
  readonly subject: string;
  readonly user: string;
  readonly role: Role | '';
  readonly type: string;
  /** As typed in the form ('' = no bound); the default is seven days before now. */
  readonly from: string;
  readonly to: string;
  readonly changesOnly: boolean;
  /** Paging: rows strictly before this global position (newest first); null = the newest page. */
  readonly before: number | null;
  /** The trail as the ledger knew it then: nothing recorded later is shown. */
  readonly asKnownAt: string | null;
}

const TEXT = /^[^\p{Cc}\p{Cf}]{0,200}$/u;
const TYPE_LIST = /^([A-Za-z]+(,[A-Za-z]+)*)?$/;

const text = (query: Readonly<Record<string, unknown>>, name: string): string => {
  const value = query[name];
  if (value === undefined) return '';
  if (typeof value !== 'string' || !TEXT.test(value)) return invalid('VIEWER.INVALID_FILTER', `${name} must be at most 200 printable characters`, { field: name });
  return value.trim();
};

/** The characters an ISO 8601 date or instant is written with: a value with any other is none, whatever it says. */
export const INSTANT_CHARACTERS = /^[0-9TZtz:.,+\- ]+$/;

/**
 * A recording-time bound, normalised. One written with other characters than a date's or an instant's (a
 * sentence) is refused without being repeated: a link cannot make the refusal page display text of its choosing.
 */
const instant = (value: string, end: 'from' | 'to'): string => {
  if (value === '') return '';
  if (!INSTANT_CHARACTERS.test(value)) invalid('VIEWER.INVALID_FILTER', `${end} must be an ISO date or date-time, e.g. 2026-03-01 or 2026-03-01T12:00:00Z`, { field: end });
  return normaliseInstant(value, end);
};

/**
 * The recording-time bounds in force, in words for the page's caption ('' when none): the default last 7 days
 * too, which a reader did not set, so an empty page is not read as a study where nothing was recorded.
 */
export const trailBoundsInWords = (filter: ViewerTrailFilter, query: Readonly<Record<string, unknown>>): string => {
  const from = filter.from === '' ? '' : ` from ${utc(instant(filter.from, 'from'))}`;
  const to = filter.to === '' ? '' : ` to ${utc(instant(filter.to, 'to'))}`;
  if (from === '' && to === '') return '';
  return `recorded${from}${to}${query.from === undefined ? ` (the last ${DEFAULT_TRAIL_DAYS} days)` : ''}`;
};

/** The query parameters `parseTrailFilter` reads, with the as-known-at instant: what the trail page and its export accept. */
export const TRAIL_PARAMETERS = ['user', 'role', 'subject', 'type', 'from', 'to', 'changesOnly', 'before', 'asKnownAt'] as const;

/** The filter from the page's query string; bad input is refused before anything is read. */
export const parseTrailFilter = (studyId: string, query: Readonly<Record<string, unknown>>, now: string, asKnownAt: string | null): ViewerTrailFilter => {
  const role = text(query, 'role');
  if (role !== '' && !(ROLES as readonly string[]).includes(role)) invalid('VIEWER.INVALID_FILTER', `role must be one of ${ROLES.join(', ')}`, { role });
  const type = text(query, 'type');
  if (!TYPE_LIST.test(type)) invalid('VIEWER.INVALID_FILTER', 'type must be event type names separated by commas', { type });
  if (type !== '') trailTypeList(type);
  const beforeText = text(query, 'before');
  if (beforeText !== '' && !(/^[1-9]\d{0,15}$/.test(beforeText) && Number.isSafeInteger(Number(beforeText)))) invalid('VIEWER.INVALID_FILTER', 'before must be a log position', { before: beforeText });
  const changes = text(query, 'changesOnly');
  if (changes !== '' && changes !== '1') invalid('VIEWER.INVALID_FILTER', 'changesOnly must be 1 when given', { changesOnly: changes });
  const weekAgo = new Date(Date.parse(now) - DEFAULT_TRAIL_DAYS * 86_400_000).toISOString();
  const from = query.from === undefined ? weekAgo : text(query, 'from');
  const to = text(query, 'to');
  instant(from, 'from');
  instant(to, 'to');
  return { studyId, subject: text(query, 'subject'), user: text(query, 'user'), role: role as Role | '', type, from, to, changesOnly: changes === '1', before: beforeText === '' ? null : Number(beforeText), asKnownAt };
};

/** The filter as query-string entries, in the form's order ('' = not given; `from` as in force). */
export const trailEntries = (f: ViewerTrailFilter): Array<[string, string]> => [
  ['user', f.user],
  ['role', f.role],
  ['subject', f.subject],
  ['type', f.type],
  ['from', f.from],
  ['to', f.to],
  ['changesOnly', f.changesOnly ? '1' : ''],
  ['asKnownAt', f.asKnownAt ?? ''],
];

/** The conditions of a download as its record keeps them: the given ones, by name. */
export const exportedFilter = (filter: ViewerTrailFilter): Record<string, string> => Object.fromEntries(trailEntries(filter).filter(([, value]) => value !== ''));

/** The types the page shows: "changes only" keeps the change types of a typed list (none left: nothing matches). */
const typesOf = (filter: ViewerTrailFilter): readonly string[] | undefined => {
  const typed = filter.type === '' ? null : filter.type.split(',');
  if (!filter.changesOnly) return typed ?? undefined;
  return typed === null ? undefined : typed.filter((t) => CHANGE_EVENT_TYPES.includes(t));
};

/** The earlier of `to` and the as-known-at instant bounds the trail. */
const upperBound = (filter: ViewerTrailFilter): string | undefined => {
  const to = filter.to === '' ? null : instant(filter.to, 'to');
  if (filter.asKnownAt === null) return to ?? undefined;
  return to === null || filter.asKnownAt < to ? filter.asKnownAt : to;
};

/** The filter as a query of the audit-trail index, bound to the log position the page stands at. */
export const indexQueryOf = (filter: ViewerTrailFilter, throughPosition: number): AuditIndexQuery => {
  const types = typesOf(filter);
  const to = upperBound(filter);
  return {
    studyId: filter.studyId,
    throughPosition,
    ...(filter.subject !== '' ? { subjectId: filter.subject } : {}),
    ...(filter.user !== '' ? { user: filter.user } : {}),
    ...(filter.role !== '' ? { role: filter.role } : {}),
    ...(types !== undefined ? { types } : {}),
    ...(filter.changesOnly ? { changesOnly: true } : {}),
    ...(filter.from !== '' ? { from: instant(filter.from, 'from') } : {}),
    ...(to !== undefined ? { to } : {}),
  };
};

/** Every row the filter shows up to `throughPosition`, oldest first (the order of the log and of the downloads). */
export const trailRows = (index: AuditTrailIndexStore, store: EventStore, filter: ViewerTrailFilter, throughPosition: number): AsyncIterable<AuditTrailRow> =>
  indexedTrailRows(index, store, indexQueryOf(filter, throughPosition));

export interface TrailPage {
  /** Newest first. */
  readonly rows: readonly AuditTrailRow[];
  /** The `before` of the next (older) page, or null when this is the oldest. */
  readonly olderBefore: number | null;
}

/** One page, newest first: the last `TRAIL_PAGE_SIZE` matching rows before `before`, one indexed read. */
export const trailPage = async (index: AuditTrailIndexStore, store: EventStore, filter: ViewerTrailFilter, throughPosition: number): Promise<TrailPage> => {
  const query = indexQueryOf(filter, throughPosition);
  const found = await index.find(filter.before === null ? query : { ...query, beforePosition: filter.before }, TRAIL_PAGE_SIZE + 1, 'newest-first');
  const shown = found.slice(0, TRAIL_PAGE_SIZE);
  const rows = await rowsOfIndex(store, shown);
  return { rows, olderBefore: found.length > TRAIL_PAGE_SIZE ? shown[shown.length - 1].position : null };
};
