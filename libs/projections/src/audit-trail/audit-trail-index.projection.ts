import type { StoredEvent } from '@trial-ledger/event-store';
import type { AuditIndexRow } from './audit-trail-index.port';

/** "Changes only": the events that change what was recorded before (21 CFR 11.10(e)). */
export const CHANGE_EVENT_TYPES: readonly string[] = ['EntryCorrected', 'EntryVoided'];

/** What the row of an event needs besides the event: a query's subject. */
export interface AuditIndexContext {
  /** The subject named by the `QueryOpened` of a query stream (null when unknown). */
  readonly querySubject: (streamId: string) => string | null;
}

/**
 * The `{studyId}-{subjectId}` part of a subject or SDV stream id, split at the last dash: study ids
 * contain dashes, subject ids carry none. Not by the studies a reader has seen: a reader that knew `A`
 * but not yet `A-EXT` (a trail read from a later `from`) would split `A-EXT-S009` as study `A`, subject
 * `EXT-S009`, and show one study's subject in another's trail.
 */
export const splitStudyAndSubject = (rest: string): { studyId: string | null; subjectId: string | null } => {
  const cut = rest.lastIndexOf('-');
  return cut > 0 ? { studyId: rest.slice(0, cut), subjectId: rest.slice(cut + 1) } : { studyId: null, subjectId: rest };
};

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The study and subject an event belongs to, as the audit trail's filters read them: by its stream
 * (`study-`, `subject-`, `sdv-`, `query-`, `exports-`), a study-stream event by the subject it names
 * (the roster entry), a query by the subject of its `QueryOpened`.
 */
export const eventOwner = (event: StoredEvent, context: AuditIndexContext): { studyId: string | null; subjectId: string | null } => {
  const s = event.streamId;
  if (s.startsWith('study-')) return { studyId: s.slice('study-'.length), subjectId: text(event.data.subjectId) };
  if (s.startsWith('exports-')) return { studyId: s.slice('exports-'.length), subjectId: null };
  if (s.startsWith('query-')) {
    const cut = s.lastIndexOf('-');
    const studyId = cut > 'query-'.length ? s.slice('query-'.length, cut) : null;
    const opened = event.type === 'QueryOpened' ? text((event.data.target as { subjectId?: unknown } | undefined)?.subjectId) : null;
    return { studyId, subjectId: opened ?? context.querySubject(s) };
  }
  if (s.startsWith('subject-')) return splitStudyAndSubject(s.slice('subject-'.length));
  if (s.startsWith('sdv-')) return splitStudyAndSubject(s.slice('sdv-'.length));
  return { studyId: null, subjectId: null };
};

/** The index row of one event: a pure function of the event and what earlier events made known. */
export const auditIndexRow = (event: StoredEvent, context: AuditIndexContext): AuditIndexRow => {
  const { actor } = event.metadata;
  const owner = eventOwner(event, context);
  return {
    position: event.globalPosition,
    eventId: event.eventId,
    streamId: event.streamId,
    eventType: event.type,
    recordedAt: event.metadata.recordedAt,
    userId: actor.userId,
    username: actor.username,
    role: actor.role,
    studyId: owner.studyId,
    subjectId: owner.subjectId,
    isChange: CHANGE_EVENT_TYPES.includes(event.type),
  };
};
