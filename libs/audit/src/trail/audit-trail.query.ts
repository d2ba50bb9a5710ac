import { DomainError, EVENT_TYPE_CATALOGUE, closestLedgerEventType, invalid, isIsoDate, isIsoInstant, isLedgerEventType, upcast, type Role } from '@trial-ledger/domain';
import { commandEndAt, type EventStore, type StoredEvent } from '@trial-ledger/event-store';
import { streamOwner } from '../shared/stream-ids';
import { eventTypeInWords } from './event-words';
import { redactedData } from './redaction';

/**
 * One line of the audit trail as a monitor reads it (Part 11 §11.10(e), ICH E6(R3) 4.2): who, when,
 * what, and for a change the values before and after and the reason. Computer-generated from the
 * ledger itself, never edited: the trail *is* the log, rendered.
 */
export interface AuditTrailRow {
  readonly position: number;
  readonly eventId: string;
  /** Server UTC instant of recording (never client-supplied). */
  readonly recordedAt: string;
  readonly userId: string;
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
  /** The permanent event type, and the same in words. */
  readonly eventType: string;
  readonly action: string;
  readonly streamId: string;
  readonly studyId: string | null;
  readonly subjectId: string | null;
  /** The event's data with secrets redacted. */
  readonly fields: Record<string, unknown>;
  /** The reason recorded with the change (corrections, voids, amendments, locks). */
  readonly reason: string | null;
  /** For corrections and voids (and record signatures): the entry they change. */
  readonly targetEventId: string | null;
  readonly targetType: string | null;
  /** Corrections: the changed fields before and after. Voids: the entry's values as they stood, after = null. */
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly source: string;
  readonly correlationId: string;
  readonly hash: string;
}

export interface AuditTrailFilter {
  readonly studyId?: string;
  readonly subjectId?: string;
  /** User id or username. */
  readonly user?: string;
  /** Recorded at or after (ISO instant, or a date meaning its 00:00 UTC). */
  readonly from?: string;
  /** Recorded at or before (ISO instant, or a date meaning through its 23:59:59.999 UTC). */
  readonly to?: string;
  /** One or more event types (`DoseAdministered`, or `EntryCorrected,EntryVoided`). */
  readonly type?: string | readonly string[];
  /** Only events at or before this position, carried to the end of its command (an export is bound to the head it was recorded at). */
  readonly throughPosition?: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A filter instant as given: the text to parse (a bare date made the start or end of its UTC day), and its digits below the millisecond. */
const filterInstant = (value: string, end: 'from' | 'to'): { readonly ms: number; readonly finer: string } => {
  const text = DATE_ONLY.test(value) ? `${value}T${end === 'from' ? '00:00:00.000' : '23:59:59.999'}Z` : value;
  // The domain's rule, not Date.parse alone: that rolls 2026-02-30 over into March.
  if (!isIsoDate(value) && !isIsoInstant(value)) {
    throw new DomainError('AUDIT.INVALID_FILTER', `"${value}" is not an ISO date or date-time`, 'validation', { [end]: value });
  }
  // Date.parse keeps milliseconds and drops finer digits (rounds down); a bare `to` date takes in its whole last millisecond.
  const finer = DATE_ONLY.test(value) ? (end === 'to' ? '999999' : '') : (/\.\d{3}(\d+)/.exec(text)?.[1] ?? '');
  return { ms: Date.parse(text), finer: finer.padEnd(6, '0').slice(0, 6) };
};

/**
 * A filter instant as ISO 8601 UTC with milliseconds, the form `recordedAt` is stored in. Digits below the
 * millisecond round down for "at or before" (`to`) and up for "at or after" (`from`): from 12:00:00.0001
 * does not take in an event recorded at 12:00:00.000.
 */
export const normaliseInstant = (value: string, end: 'from' | 'to'): string => {
  const { ms, finer } = filterInstant(value, end);
  return new Date(ms + (end === 'from' && /[1-9]/.test(finer) ? 1 : 0)).toISOString();
};

/**
 * A `from`/`to` window, normalised to instants; one whose `from` lies after its `to` is refused
 * (`AUDIT.INVALID_FILTER`), as the review refuses it: it can hold nothing, and an export of it would be
 * recorded as a copy of an empty trail. Judged on the instants as given, to the digit: a window inside
 * one millisecond holds no recording instant, but is not "from after to".
 */
export const trailWindow = (filter: { readonly from?: string; readonly to?: string }): { from: string | null; to: string | null } => {
  const from = filter.from !== undefined ? normaliseInstant(filter.from, 'from') : null;
  const to = filter.to !== undefined ? normaliseInstant(filter.to, 'to') : null;
  if (filter.from !== undefined && filter.to !== undefined) {
    const [a, b] = [filterInstant(filter.from, 'from'), filterInstant(filter.to, 'to')];
    if (a.ms > b.ms || (a.ms === b.ms && a.finer > b.finer)) throw new DomainError('AUDIT.INVALID_FILTER', 'from lies after to', 'validation', { from, to });
  }
  return { from, to };
};

/**
 * Refuses (`AUDIT.UNKNOWN_EVENT_TYPE`, a validation error) a type filter naming a type the ledger does
 * not write: `EntryCorected` would match nothing, and "0 entries" would read as "no corrections on
 * record". A known type with no entries still answers with none. The problem names the unknown types,
 * the likeliest meant one and every known type.
 */
export const requireKnownEventTypes = (types: Iterable<string>): void => {
  const unknown = [...types].filter((t) => !isLedgerEventType(t));
  if (unknown.length === 0) return;
  const hints = unknown.map((t) => closestLedgerEventType(t)).filter((t): t is NonNullable<typeof t> => t !== null);
  const hint = hints.length > 0 ? ` (did you mean ${hints.join(', ')}?)` : '';
  invalid(
    'AUDIT.UNKNOWN_EVENT_TYPE',
    `Unknown event type${unknown.length === 1 ? '' : 's'} ${unknown.map((t) => JSON.stringify(t)).join(', ')}${hint}; known types: ${EVENT_TYPE_CATALOGUE.join(', ')}`,
    { unknownTypes: unknown, knownTypes: [...EVENT_TYPE_CATALOGUE] },
  );
};

/** The event types a filter names (comma-separated or a list), or null for every type; an unknown type is refused. */
export const trailTypeList = (type: AuditTrailFilter['type']): Set<string> | null => {
  if (type === undefined) return null;
  const list = (typeof type === 'string' ? type.split(',') : [...type]).map((t) => t.trim()).filter(Boolean);
  requireKnownEventTypes(list);
  return list.length > 0 ? new Set(list) : null;
};

const asRecord = (value: unknown): Record<string, unknown> | null =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** The values a void withdrew: the target's data with the corrections recorded before the void applied. */
const valuesAtVoid = async (store: EventStore, voidEvent: StoredEvent, targetEventId: string): Promise<Record<string, unknown> | null> => {
  const stream = await store.readStream(voidEvent.streamId, { toPosition: voidEvent.globalPosition });
  const target = stream.find((e) => e.eventId === targetEventId) ?? (await store.getEvent(targetEventId));
  if (!target) return null;
  let values = redactedData(upcast(target));
  for (const e of stream) {
    if (e.type === 'EntryCorrected' && e.data.targetEventId === targetEventId) values = { ...values, ...(asRecord(upcast(e).data.after) ?? {}) };
  }
  return values;
};

/**
 * Builds the row for one event (exposed for exporters that read the log themselves). Its values are
 * read in the current schema of its type (`upcast`), as every other reader reads them: a screen failure
 * recorded as `primary-site-not-hindgut` shows as `primary-site-not-allowed`, the same criterion.
 */
export const toAuditTrailRow = async (store: EventStore, stored: StoredEvent): Promise<AuditTrailRow> => {
  const event = upcast(stored);
  const { actor } = event.metadata;
  const owner = streamOwner(event.streamId);
  const fields = redactedData(event);
  const targetEventId: string | null = typeof fields.targetEventId === 'string' ? fields.targetEventId : null;
  let targetType: string | null = typeof fields.targetType === 'string' ? fields.targetType : null;
  let before: Record<string, unknown> | null = null;
  let after: Record<string, unknown> | null = null;
  if (event.type === 'EntryCorrected') {
    before = asRecord(fields.before);
    after = asRecord(fields.after);
  } else if (event.type === 'EntryVoided' && targetEventId) {
    before = await valuesAtVoid(store, event, targetEventId);
  }
  if (targetEventId && !targetType) targetType = (await store.getEvent(targetEventId))?.type ?? null;
  if (!targetEventId) targetType = null;
  const reason = event.metadata.reason ?? (typeof fields.reason === 'string' ? fields.reason : null);
  return {
    position: event.globalPosition,
    eventId: event.eventId,
    recordedAt: event.metadata.recordedAt,
    userId: actor.userId,
    username: actor.username,
    fullName: actor.fullName,
    role: actor.role,
    eventType: event.type,
    action: eventTypeInWords(event.type),
    streamId: event.streamId,
    studyId: owner.studyId,
    subjectId: owner.subjectId ?? (typeof fields.subjectId === 'string' ? fields.subjectId : null),
    fields,
    reason,
    targetEventId,
    targetType,
    before,
    after,
    source: event.metadata.source,
    correlationId: event.metadata.correlationId,
    hash: event.hash,
  };
};

/**
 * Whether an event belongs to the study and subject asked for, by its stream id
 * (`subject-{studyId}-{subjectId}`, `study-{studyId}`) or, for study-stream events such as the roster
 * entry and for signatures, by the `subjectId` it names.
 */
const belongsTo = (event: StoredEvent, filter: AuditTrailFilter, querySubject: string | undefined): boolean => {
  const { studyId, subjectId } = filter;
  if (studyId === undefined && subjectId === undefined) return true;
  const s = event.streamId;
  // Queries and SDV are about one subject: a query by the subject its QueryOpened names, SDV by its stream.
  if (s.startsWith('query-')) {
    const owner = streamOwner(s);
    return (studyId === undefined || owner.studyId === studyId) && (subjectId === undefined || querySubject === subjectId);
  }
  if (s.startsWith('sdv-')) {
    const owner = streamOwner(s);
    return (studyId === undefined || owner.studyId === studyId) && (subjectId === undefined || owner.subjectId === subjectId);
  }
  const namesSubject = subjectId !== undefined && event.data.subjectId === subjectId;
  if (studyId !== undefined && subjectId !== undefined) {
    return s === `subject-${studyId}-${subjectId}` || (s === `study-${studyId}` && namesSubject);
  }
  // A subject stream of study `A-EXT` also begins with `subject-A-`: its owner says which study it is.
  if (studyId !== undefined) return s === `study-${studyId}` || (s.startsWith('subject-') && streamOwner(s).studyId === studyId) || s === `exports-${studyId}`;
  return (s.startsWith('subject-') && s.endsWith(`-${subjectId}`)) || (s.startsWith('study-') && namesSubject);
};

/**
 * The audit trail, oldest first, as an async iterable: one pass over the log (starting at the first
 * position recorded at or after `from`, stopping after `to`), so memory stays flat for any log size.
 * A subject filter also matches study-stream events that name the subject (its roster entry).
 */
export async function* auditTrail(store: EventStore, filter: AuditTrailFilter = {}): AsyncIterable<AuditTrailRow> {
  const { from, to } = trailWindow(filter);
  const types = trailTypeList(filter.type);
  const querySubjects = new Map<string, string>();
  const afterPosition = from !== null ? await store.positionAt(new Date(Date.parse(from) - 1).toISOString()) : 0;
  // A position inside a command's append reads through that command's end, as every position bound does.
  const bound = filter.throughPosition === undefined ? {} : { toPosition: await commandEndAt(store, filter.throughPosition) };
  for await (const event of store.readAll({ afterPosition, ...bound, batchSize: 1000 })) {
    if (event.streamId.startsWith('query-') && !querySubjects.has(event.streamId)) {
      // The subject a query concerns is named by its QueryOpened, which may lie before `from`.
      const opened = event.type === 'QueryOpened' ? event : (await store.readStream(event.streamId)).find((e) => e.type === 'QueryOpened');
      querySubjects.set(event.streamId, String((opened?.data.target as { subjectId?: unknown } | undefined)?.subjectId ?? ''));
    }
    const recordedAt = event.metadata.recordedAt;
    if (from !== null && recordedAt < from) continue;
    if (to !== null && recordedAt > to) return; // recordedAt never decreases along the log
    if (types && !types.has(event.type)) continue;
    const actor = event.metadata.actor;
    if (filter.user !== undefined && actor.userId !== filter.user && actor.username !== filter.user) continue;
    const querySubject = querySubjects.get(event.streamId);
    if (!belongsTo(event, filter, querySubject)) continue;
    const row = await toAuditTrailRow(store, event);
    yield querySubject === undefined ? row : { ...row, subjectId: querySubject };
  }
}

export interface AuditTrailPage {
  readonly items: AuditTrailRow[];
  readonly page: number;
  readonly pageSize: number;
  /** True when at least one more row matches after this page. */
  readonly hasMore: boolean;
}

/** Refuses a page number or size the trail does not serve (1-based pages of 1 to 1,000 rows). */
export const checkTrailPage = (page: number, pageSize: number): void => {
  if (!Number.isSafeInteger(page) || page < 1) throw new DomainError('AUDIT.INVALID_PAGE', 'page must be a positive integer', 'validation', { page });
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new DomainError('AUDIT.INVALID_PAGE', 'pageSize must be an integer from 1 to 1000', 'validation', { pageSize });
  }
};

/** One page of the trail (1-based `page`) read from the log: the HTTP API's answer while its index is not caught up. */
export const auditTrailPage = async (store: EventStore, filter: AuditTrailFilter, page = 1, pageSize = 100): Promise<AuditTrailPage> => {
  checkTrailPage(page, pageSize);
  const skip = (page - 1) * pageSize;
  const items: AuditTrailRow[] = [];
  let index = 0;
  let hasMore = false;
  for await (const row of auditTrail(store, filter)) {
    if (index >= skip + pageSize) {
      hasMore = true;
      break;
    }
    if (index >= skip) items.push(row);
    index += 1;
  }
  return { items, page, pageSize, hasMore };
};
