import { QUERY_ID, SUBJECT_ID, SYSTEM_DERIVED_ENTRY_TYPES, topLevelField, type Actor, type QueryEvent, type QueryTarget, type RecordSourceVerified } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { toProjected, type ProjectedEvent } from '../projected-event';
import type { ActorView, EntryMonitoring, EntrySdvView, QueryStatus, QueryThreadItem, QueryView, SubjectSdvProgress } from './monitoring.types';

/**
 * The monitoring read model of one study: queries (status, age, thread) and source data verification
 * per entry, folded from the query streams, the SDV streams and the changes recorded on subject streams.
 * Statuses that depend on later facts — "closed-modified", "SDV revoked by correction" — are derived
 * here, never written.
 */

/** Entries a monitor verifies against source documents: what people recorded, not what the system derived. */
const NOT_SOURCE_DATA: ReadonlySet<string> = new Set([...SYSTEM_DERIVED_ENTRY_TYPES, 'EntryCorrected', 'EntryVoided', 'CasebookSigned', 'RecordSigned']);

interface TargetChange {
  readonly kind: 'correction' | 'void';
  readonly eventId: string;
  readonly position: number;
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly reason: string | null;
  /** Top-level data fields the change touched (all of them for a void). */
  readonly fields: readonly string[] | 'all';
}

interface QueryRecord {
  readonly queryId: string;
  readonly studyId: string;
  readonly target: QueryTarget;
  readonly origin: QueryView['origin'];
  readonly deviationEventId: string | null;
  readonly events: readonly ProjectedEvent[];
}

interface Verification {
  readonly eventId: string;
  readonly position: number;
  readonly recordedAt: string;
  readonly actor: Actor;
  readonly targetType: string;
}

export interface MonitoringState {
  readonly studyId: string;
  readonly queries: ReadonlyMap<string, QueryRecord>;
  /** Per subject: its source-data entries in recording order (event id → type). */
  readonly entries: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly changes: ReadonlyMap<string, readonly TargetChange[]>;
  readonly verifications: ReadonlyMap<string, Verification>;
}

export const initialMonitoringState = (studyId: string): MonitoringState => ({ studyId, queries: new Map(), entries: new Map(), changes: new Map(), verifications: new Map() });

/** Which of this study's streams an event belongs to (stream ids split at their last dash: no part after it has one). */
const ownedStream = (studyId: string, streamId: string): 'query' | 'sdv' | 'subject' | null => {
  for (const [prefix, kind, pattern] of [
    [`query-${studyId}-`, 'query', QUERY_ID],
    [`sdv-${studyId}-`, 'sdv', SUBJECT_ID],
    [`subject-${studyId}-`, 'subject', SUBJECT_ID],
  ] as const) {
    if (streamId.startsWith(prefix) && pattern.test(streamId.slice(prefix.length))) return kind;
  }
  return null;
};

const subjectOfStream = (streamId: string): string => streamId.slice(streamId.lastIndexOf('-') + 1);

interface MutableMonitoringState {
  readonly studyId: string;
  readonly queries: Map<string, QueryRecord & { events: ProjectedEvent[] }>;
  readonly entries: Map<string, Map<string, string>>;
  readonly changes: Map<string, TargetChange[]>;
  readonly verifications: Map<string, Verification>;
}

/**
 * One step of the fold, applied to a state this fold owns. Kept private: from outside, the read model
 * is a pure function of the event sequence (`evolveMonitoring`, `monitoringFolder`), and a full-log
 * fold does not copy its maps at every event.
 */
const apply = (state: MutableMonitoringState, event: ProjectedEvent): void => {
  const kind = ownedStream(state.studyId, event.streamId);
  if (kind === 'query') {
    const query = event as unknown as ProjectedEvent & QueryEvent;
    if (query.type === 'QueryOpened') {
      const { queryId, studyId, target, origin, deviationEventId } = query.data;
      state.queries.set(queryId, { queryId, studyId, target, origin, deviationEventId, events: [event] });
    } else {
      state.queries.get(query.data.queryId)?.events.push(event);
    }
    return;
  }
  if (kind === 'sdv' && event.type === 'RecordSourceVerified') {
    const data = (event as unknown as RecordSourceVerified).data;
    state.verifications.set(data.targetEventId, { eventId: event.eventId, position: event.globalPosition, recordedAt: event.recordedAt, actor: event.actor, targetType: data.targetType });
    return;
  }
  if (kind !== 'subject') return;
  if (event.type === 'EntryCorrected' || event.type === 'EntryVoided') {
    const data = event.data as { targetEventId: string; after?: Record<string, unknown> };
    const change: TargetChange = {
      kind: event.type === 'EntryCorrected' ? 'correction' : 'void',
      eventId: event.eventId,
      position: event.globalPosition,
      recordedAt: event.recordedAt,
      actor: event.actor,
      reason: event.reason ?? ((event.data as { reason?: string }).reason ?? null),
      fields: event.type === 'EntryCorrected' ? Object.keys(data.after ?? {}) : 'all',
    };
    const changes = state.changes.get(data.targetEventId);
    if (changes) changes.push(change);
    else state.changes.set(data.targetEventId, [change]);
    return;
  }
  if (NOT_SOURCE_DATA.has(event.type)) return;
  const subjectId = subjectOfStream(event.streamId);
  const entries = state.entries.get(subjectId) ?? new Map<string, string>();
  state.entries.set(subjectId, entries.set(event.eventId, event.type));
};

const copyOf = (state: MonitoringState): MutableMonitoringState => ({
  studyId: state.studyId,
  queries: new Map([...state.queries].map(([id, q]) => [id, { ...q, events: [...q.events] }])),
  entries: new Map([...state.entries].map(([id, m]) => [id, new Map(m)])),
  changes: new Map([...state.changes].map(([id, c]) => [id, [...c]])),
  verifications: new Map(state.verifications),
});

/** Folds one stored-and-projected event into the study's monitoring state (a new state); events of other studies pass by. */
export const evolveMonitoring = (state: MonitoringState, event: ProjectedEvent): MonitoringState => {
  if (ownedStream(state.studyId, event.streamId) === null) return state;
  const next = copyOf(state);
  apply(next, event);
  return next;
};

/** A fold over many events (a whole log): `add` each in log order, then read `state()`. */
export const monitoringFolder = (studyId: string): { add(event: ProjectedEvent): void; state(): MonitoringState } => {
  const state: MutableMonitoringState = { studyId, queries: new Map(), entries: new Map(), changes: new Map(), verifications: new Map() };
  return { add: (event) => apply(state, event), state: () => copyOf(state) };
};

const actorView = (actor: Actor): ActorView => ({ username: actor.username, fullName: actor.fullName, role: actor.role });

const DAY_MS = 86_400_000;
const wholeDays = (from: string, to: string): number => Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / DAY_MS));

const touches = (change: TargetChange, target: QueryTarget): boolean => {
  const field = topLevelField(target.fieldPath);
  return change.fields === 'all' || field === null || change.fields.includes(field);
};

const QUERY_KIND: Readonly<Record<QueryEvent['type'], QueryThreadItem['kind']>> = {
  QueryOpened: 'opened',
  QueryResponded: 'responded',
  QueryClosed: 'closed',
  QueryReopened: 'reopened',
  QueryCancelled: 'cancelled',
};

/** A query as monitors read it at `now` (the instant its age is measured to while unresolved). */
export const queryView = (state: MonitoringState, record: QueryRecord, now: string): QueryView => {
  const changes = (state.changes.get(record.target.eventId) ?? []).filter((c) => touches(c, record.target));
  const opened = record.events[0];
  let status: QueryStatus = 'open';
  let resolvedAt: string | null = null;
  const thread: QueryThreadItem[] = [];
  const linked: string[] = [];
  let c = 0;
  const takeChangesBefore = (position: number): void => {
    for (; c < changes.length && changes[c].position < position; c += 1) {
      const change = changes[c];
      if (change.position < opened.globalPosition) continue;
      const whileOpen = status === 'open' || status === 'answered';
      if (whileOpen) linked.push(change.eventId);
      if (!whileOpen && status === 'closed') status = 'closed-modified';
      thread.push({
        kind: change.kind === 'correction' ? 'target-corrected' : 'target-voided',
        eventId: change.eventId, position: change.position, recordedAt: change.recordedAt, by: actorView(change.actor),
        text: null, category: null, reason: change.reason, whileOpen,
      });
    }
  };
  for (const event of record.events) {
    takeChangesBefore(event.globalPosition);
    const query = event as unknown as ProjectedEvent & QueryEvent;
    const data = query.data as { text?: string | null; category?: QueryThreadItem['category'] };
    thread.push({
      kind: QUERY_KIND[query.type], eventId: event.eventId, position: event.globalPosition, recordedAt: event.recordedAt, by: actorView(event.actor),
      text: data.text ?? null, category: data.category ?? null, reason: null, whileOpen: null,
    });
    if (query.type === 'QueryResponded') status = 'answered';
    if (query.type === 'QueryReopened') status = 'open';
    if (query.type === 'QueryClosed') status = 'closed';
    if (query.type === 'QueryCancelled') status = 'cancelled';
    const resolved = query.type === 'QueryClosed' || query.type === 'QueryCancelled';
    resolvedAt = resolved ? event.recordedAt : query.type === 'QueryReopened' ? null : resolvedAt;
  }
  takeChangesBefore(Number.POSITIVE_INFINITY);
  return {
    queryId: record.queryId,
    studyId: record.studyId,
    subjectId: record.target.subjectId,
    target: record.target,
    origin: record.origin,
    deviationEventId: record.deviationEventId,
    status,
    openedAt: opened.recordedAt,
    openedBy: actorView(opened.actor),
    resolvedAt,
    ageDays: wholeDays(opened.recordedAt, resolvedAt ?? now),
    linkedChangeIds: linked,
    thread,
  };
};

/** SDV state of one entry: the latest verification, revoked by any correction or void recorded after it. */
export const entrySdv = (state: MonitoringState, targetEventId: string, targetType: string): EntrySdvView => {
  const verification = state.verifications.get(targetEventId);
  if (!verification) return { targetEventId, targetType, status: 'not-verified', verifiedAt: null, verifiedBy: null, revokedBy: null };
  const revoking = (state.changes.get(targetEventId) ?? []).find((c) => c.position > verification.position);
  return {
    targetEventId,
    targetType,
    status: revoking ? 'revoked' : 'verified',
    verifiedAt: verification.recordedAt,
    verifiedBy: actorView(verification.actor),
    revokedBy: revoking ? { kind: revoking.kind, eventId: revoking.eventId, recordedAt: revoking.recordedAt } : null,
  };
};

/** Per-subject SDV progress (the monitoring plan's source-data-verification coverage). Voided entries are out of scope. */
export const subjectSdvProgress = (state: MonitoringState, subjectId: string): SubjectSdvProgress => {
  const voided = (id: string): boolean => (state.changes.get(id) ?? []).some((c) => c.kind === 'void');
  const items = [...(state.entries.get(subjectId) ?? new Map<string, string>())].filter(([id]) => !voided(id)).map(([id, type]) => entrySdv(state, id, type));
  const verified = items.filter((i) => i.status === 'verified').length;
  return {
    studyId: state.studyId,
    subjectId,
    entries: items.length,
    verified,
    revoked: items.filter((i) => i.status === 'revoked').length,
    percentVerified: items.length === 0 ? null : Math.round((verified / items.length) * 1000) / 10,
    items,
  };
};

export interface QueryFilter {
  /** `closed` keeps every closed query, `closed-modified` included (its target changed after the close); `closed-modified` keeps only those. */
  readonly status?: QueryStatus;
  readonly subjectId?: string;
  /** Only queries at least this many days old. */
  readonly minAgeDays?: number;
  /** Username of whoever opened it (`system` for automatic queries). */
  readonly openedBy?: string;
}

/**
 * Whether a query of this status is listed under the status asked for. A monitor asking for the closed
 * queries means every query closed: one whose target was corrected after the close is still closed
 * (OpenClinica 4's "closed-modified" is a closed query with a later change), not left out of the list.
 */
const statusMatches = (asked: QueryStatus | undefined, status: QueryStatus): boolean =>
  asked === undefined || status === asked || (asked === 'closed' && status === 'closed-modified');

/** The study's queries, oldest first, filtered. */
export const listQueries = (state: MonitoringState, now: string, filter: QueryFilter = {}): QueryView[] =>
  [...state.queries.values()]
    .map((record) => queryView(state, record, now))
    .filter((q) => statusMatches(filter.status, q.status) && (filter.subjectId === undefined || q.subjectId === filter.subjectId))
    .filter((q) => (filter.minAgeDays === undefined || q.ageDays >= filter.minAgeDays) && (filter.openedBy === undefined || q.openedBy.username === filter.openedBy));

/** Queries per page unless asked otherwise, and the most a page holds: as the audit trail pages (`page`, `pageSize`). */
export const QUERY_PAGE_SIZE = 100;
export const MAX_QUERY_PAGE_SIZE = 1000;

/** One page of the query list (oldest first): `hasMore` says whether page + 1 holds any. */
export interface QueryPage {
  readonly queries: QueryView[];
  readonly page: number;
  readonly pageSize: number;
  readonly hasMore: boolean;
}

/** Page `page` (from 1) of `pageSize` queries of a filtered list; a page past the end is empty. */
export const queryPage = (queries: readonly QueryView[], page = 1, pageSize = QUERY_PAGE_SIZE): QueryPage => {
  const from = (page - 1) * pageSize;
  return { queries: queries.slice(from, from + pageSize), page, pageSize, hasMore: queries.length > from + pageSize };
};

/**
 * Each entry's queries and SDV state for one subject, keyed by the entry's event id (for the casebook and
 * the report). `queries`: the subject's queries when the caller listed the study's once (an export of
 * every subject would otherwise list them all once per subject).
 */
export const entryMonitoringOf = (state: MonitoringState, subjectId: string, now: string, queries: readonly QueryView[] = listQueries(state, now, { subjectId })): Map<string, EntryMonitoring> => {
  const result = new Map<string, EntryMonitoring>();
  for (const [id, type] of state.entries.get(subjectId) ?? new Map<string, string>()) {
    result.set(id, { targetEventId: id, sdv: entrySdv(state, id, type), queries: queries.filter((q) => q.target.eventId === id) });
  }
  // Entries that are not source data (a system-detected deviation) are not verified, but can be queried:
  // their queries are shown beside them too.
  for (const q of queries) {
    if (q.subjectId !== subjectId || result.has(q.target.eventId)) continue;
    const id = q.target.eventId;
    result.set(id, { targetEventId: id, sdv: entrySdv(state, id, q.target.eventType), queries: queries.filter((other) => other.target.eventId === id) });
  }
  return result;
};

/** The monitoring state of a study, folded from the whole log (or up to a position). */
export const replayMonitoring = async (store: EventStore, studyId: string, toPosition?: number): Promise<MonitoringState> => {
  const folder = monitoringFolder(studyId);
  for await (const stored of store.readAll(toPosition === undefined ? {} : { toPosition })) folder.add(toProjected(stored));
  return folder.state();
};

/** What the casebook shows beside its entries: SDV coverage and each entry's queries and SDV state, by event id. */
export interface CasebookMonitoring {
  readonly sdv: Omit<SubjectSdvProgress, 'items'>;
  readonly entries: Readonly<Record<string, EntryMonitoring>>;
}

export const casebookMonitoring = (state: MonitoringState, subjectId: string, now: string): CasebookMonitoring => {
  const { items: _items, ...sdv } = subjectSdvProgress(state, subjectId);
  return { sdv, entries: Object.fromEntries(entryMonitoringOf(state, subjectId, now)) };
};
