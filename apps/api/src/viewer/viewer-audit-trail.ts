import { auditTrail, normaliseInstant, type AuditTrailFilter, type AuditTrailRow } from '@trial-ledger/audit';
import { invalid, ROLES, type Role } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';

/** Rows per page of the trail. */
export const TRAIL_PAGE_SIZE = 50;
/** The trail opens on the last week: what an auditor reviews first, and a bounded read of the log. */
export const DEFAULT_TRAIL_DAYS = 7;
/** "Changes only": the events that change what was recorded before (21 CFR 11.10(e)). */
export const CHANGE_EVENT_TYPES: readonly string[] = ['EntryCorrected', 'EntryVoided'];

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

const instant = (value: string, end: 'from' | 'to'): string => (value === '' ? '' : normaliseInstant(value, end));

/** The filter from the page's query string; bad input is refused before anything is read. */
export const parseTrailFilter = (studyId: string, query: Readonly<Record<string, unknown>>, now: string, asKnownAt: string | null): ViewerTrailFilter => {
  const role = text(query, 'role');
  if (role !== '' && !(ROLES as readonly string[]).includes(role)) invalid('VIEWER.INVALID_FILTER', `role must be one of ${ROLES.join(', ')}`, { role });
  const type = text(query, 'type');
  if (!TYPE_LIST.test(type)) invalid('VIEWER.INVALID_FILTER', 'type must be event type names separated by commas', { type });
  const beforeText = text(query, 'before');
  if (beforeText !== '' && !/^[1-9]\d{0,15}$/.test(beforeText)) invalid('VIEWER.INVALID_FILTER', 'before must be a log position', { before: beforeText });
  const changes = text(query, 'changesOnly');
  if (changes !== '' && changes !== '1') invalid('VIEWER.INVALID_FILTER', 'changesOnly must be 1 when given', { changesOnly: changes });
  const weekAgo = new Date(Date.parse(now) - DEFAULT_TRAIL_DAYS * 86_400_000).toISOString();
  const from = query.from === undefined ? weekAgo : text(query, 'from');
  const to = text(query, 'to');
  instant(from, 'from');
  instant(to, 'to');
  return { studyId, subject: text(query, 'subject'), user: text(query, 'user'), role: role as Role | '', type, from, to, changesOnly: changes === '1', before: beforeText === '' ? null : Number(beforeText), asKnownAt };
};

const typesOf = (filter: ViewerTrailFilter): readonly string[] | undefined => {
  const typed = filter.type === '' ? null : filter.type.split(',');
  if (!filter.changesOnly) return typed ?? undefined;
  const changes = typed === null ? CHANGE_EVENT_TYPES : typed.filter((t) => CHANGE_EVENT_TYPES.includes(t));
  // A type filter with no change type in it and "changes only": nothing matches; an impossible type says so.
  return changes.length > 0 ? changes : ['NoEventMatchesThisFilter'];
};

/** The later of `to` and the as-known-at instant wins nothing: the earlier bound applies. */
const upperBound = (filter: ViewerTrailFilter): string | undefined => {
  const to = filter.to === '' ? null : instant(filter.to, 'to');
  if (filter.asKnownAt === null) return to ?? undefined;
  return to === null || filter.asKnownAt < to ? filter.asKnownAt : to;
};

/** Every row the filter shows, oldest first (the order of the log and of the downloads). */
export async function* trailRows(store: EventStore, filter: ViewerTrailFilter): AsyncIterable<AuditTrailRow> {
  const types = typesOf(filter);
  const to = upperBound(filter);
  const libFilter: AuditTrailFilter = {
    studyId: filter.studyId,
    ...(filter.subject !== '' ? { subjectId: filter.subject } : {}),
    ...(filter.user !== '' ? { user: filter.user } : {}),
    ...(filter.from !== '' ? { from: filter.from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(types !== undefined ? { type: types } : {}),
  };
  for await (const row of auditTrail(store, libFilter)) {
    if (filter.role !== '' && row.role !== filter.role) continue;
    yield row;
  }
}

export interface TrailPage {
  /** Newest first. */
  readonly rows: readonly AuditTrailRow[];
  /** The `before` of the next (older) page, or null when this is the oldest. */
  readonly olderBefore: number | null;
}

/** One page, newest first: the last `TRAIL_PAGE_SIZE` matching rows before `before`, in one pass. */
export const trailPage = async (store: EventStore, filter: ViewerTrailFilter): Promise<TrailPage> => {
  const window: AuditTrailRow[] = [];
  let dropped = false;
  for await (const row of trailRows(store, filter)) {
    if (filter.before !== null && row.position >= filter.before) break;
    window.push(row);
    if (window.length > TRAIL_PAGE_SIZE) {
      window.shift();
      dropped = true;
    }
  }
  const rows = window.reverse();
  return { rows, olderBefore: dropped && rows.length > 0 ? rows[rows.length - 1].position : null };
};
