import {
  DomainError,
  evolveSubject,
  initialSubjectState,
  isIsoDate,
  reviewThresholdsOf,
  ruleLookup,
  studyStreamId,
  withDosingRule,
  SUBJECT_ID,
  type DosingRuleHistory,
  type ProtocolDocument,
  type RecordedSubjectEvent,
  type ReviewThresholds,
  type RuleOf,
  type SubjectEntry,
  type SubjectState,
} from '@trial-ledger/domain';
import { toRecorded } from '@trial-ledger/command-pipeline';
import type { EventStore, StoredEvent } from '@trial-ledger/event-store';
import { normaliseInstant, trailWindow } from '../trail/audit-trail.query';
import type { DataCut, ReviewFinding, ReviewIndicatorId } from './review.types';

/** Types the system derives from a recorded fact (not typed by a person): no lag, hours or burst of their own. */
const DERIVED_TYPES: ReadonlySet<string> = new Set(['ProtocolDeviationDetected', 'SubjectAddedToRoster', 'RosterEnrollmentDateCorrected']);

/** The log prefix a review reads, with the lookups every indicator needs. */
export interface ReviewLedger {
  readonly studyId: string;
  readonly protocol: ProtocolDocument | null;
  readonly thresholds: ReviewThresholds;
  readonly events: readonly StoredEvent[];
  readonly byId: ReadonlyMap<string, StoredEvent>;
  /** Each stream's events in log order. */
  readonly byStream: ReadonlyMap<string, readonly StoredEvent[]>;
  readonly from: string | null;
  readonly to: string | null;
  readonly dataCuts: readonly DataCut[];
  readonly position: number;
}

/** Whether a finding about this event belongs to the review window. */
export const inWindow = (ledger: ReviewLedger, e: StoredEvent): boolean =>
  (ledger.from === null || e.metadata.recordedAt >= ledger.from) && (ledger.to === null || e.metadata.recordedAt <= ledger.to);

/**
 * The subject of an event of this study's subject streams, else null. A subject id has no dash, so the
 * rest of the stream id must be one: `subject-LANR-HGNET-01-B-S001` is a subject of study LANR-HGNET-01-B,
 * not subject `B-S001` of LANR-HGNET-01.
 */
export const subjectOf = (ledger: ReviewLedger, e: StoredEvent): string | null => {
  const prefix = `subject-${ledger.studyId}-`;
  if (!e.streamId.startsWith(prefix)) return null;
  const subjectId = e.streamId.slice(prefix.length);
  return SUBJECT_ID.test(subjectId) ? subjectId : null;
};

/** A clinical write by a person: a subject-stream event of this study, not derived by the system. */
export const isClinicalWrite = (ledger: ReviewLedger, e: StoredEvent): boolean =>
  subjectOf(ledger, e) !== null && e.metadata.source !== 'system' && !DERIVED_TYPES.has(e.type);

/** A correction or void of a subject's entry. */
export const isChange = (e: StoredEvent): boolean => e.type === 'EntryCorrected' || e.type === 'EntryVoided';

export const targetOf = (ledger: ReviewLedger, e: StoredEvent): StoredEvent | null =>
  typeof e.data.targetEventId === 'string' ? (ledger.byId.get(e.data.targetEventId) ?? null) : null;

export const reasonOf = (e: StoredEvent): string | null => {
  const reason = e.metadata.reason ?? (typeof e.data.reason === 'string' ? e.data.reason : null);
  return reason === null ? null : reason;
};

export const finding = (
  indicator: ReviewIndicatorId,
  events: readonly StoredEvent[],
  summary: string,
  about: { readonly subjectId?: string | null; readonly username?: string | null } = {},
): ReviewFinding => ({
  indicator,
  subjectId: about.subjectId ?? null,
  username: about.username ?? null,
  recordedAt: events.length > 0 ? events.map((e) => e.metadata.recordedAt).reduce((a, b) => (b > a ? b : a)) : null,
  summary,
  eventIds: events.map((e) => e.eventId),
  positions: events.map((e) => e.globalPosition),
});

/**
 * Folds one subject stream of the review's snapshot as the casebook does (corrections applied, voids
 * marked, facts re-derived), calling `visit` with the state just before and just after each event: what
 * the ledger said about the subject when that event was recorded.
 */
export const foldSubjectStream = (
  ledger: ReviewLedger,
  streamId: string,
  visit: (e: StoredEvent, before: SubjectState, after: SubjectState) => void = () => undefined,
): SubjectState => {
  let state = initialSubjectState();
  for (const e of ledger.byStream.get(streamId) ?? []) {
    const before = state;
    state = evolveSubject(state, toRecorded(e) as unknown as RecordedSubjectEvent);
    visit(e, before, state);
  }
  return state;
};

const entriesAtHead = new WeakMap<ReviewLedger, ReadonlyMap<string, SubjectEntry>>();

/**
 * Every subject entry of the study as the review's snapshot leaves it (its current, corrected value, and
 * whether it was voided), by event id: the record as it stands when the review checks it.
 */
export const currentEntries = (ledger: ReviewLedger): ReadonlyMap<string, SubjectEntry> => {
  const cached = entriesAtHead.get(ledger);
  if (cached) return cached;
  const entries = new Map<string, SubjectEntry>();
  for (const [streamId, events] of ledger.byStream) {
    if (events.length === 0 || subjectOf(ledger, events[0]) === null) continue;
    for (const entry of foldSubjectStream(ledger, streamId).entries) entries.set(entry.eventId, entry);
  }
  entriesAtHead.set(ledger, entries);
  return entries;
};

/**
 * The study as it stood at a log position, in one walk of its stream: the protocol in force (its last
 * registration or amendment before the position) and the dosing schedule of every protocol version
 * registered or amended before it, by version — a dose's window is judged by the version it was recorded
 * under, not by the one in force at a later change.
 */
export const studyAt = (ledger: ReviewLedger, globalPosition: number): { readonly protocol: ProtocolDocument | null; readonly rules: RuleOf | null } => {
  let protocol: ProtocolDocument | null = null;
  let history: DosingRuleHistory = [];
  for (const e of ledger.byStream.get(studyStreamId(ledger.studyId)) ?? []) {
    if (e.globalPosition >= globalPosition) break;
    if (e.type !== 'StudyRegistered' && e.type !== 'ProtocolAmended') continue;
    const registered = e.data.protocol as ProtocolDocument | undefined;
    if (!registered) continue;
    protocol = registered;
    history = withDosingRule(history, registered);
  }
  return { protocol, rules: history.length === 0 ? null : ruleLookup(history) };
};

const streams = (events: readonly StoredEvent[]): Map<string, StoredEvent[]> => {
  const map = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = map.get(e.streamId);
    if (list) list.push(e);
    else map.set(e.streamId, [e]);
  }
  return map;
};

const firstStudy = (events: readonly StoredEvent[]): string | null => {
  const registered = events.find((e) => e.type === 'StudyRegistered' && e.streamId.startsWith('study-'));
  return registered ? registered.streamId.slice('study-'.length) : null;
};

/** A data cut as the review reads it (its instant normalised), or its refusal: an impossible cutoff, an instant still to come. */
export const checkDataCut = (cut: DataCut): DataCut => {
  if (!isIsoDate(cut.cutoff)) {
    throw new DomainError('REVIEW.INVALID_DATA_CUT', `a data cut's cutoff must be a date YYYY-MM-DD (got ${String(cut.cutoff)})`, 'validation', { cutoff: cut.cutoff });
  }
  const analysedAt = normaliseInstant(cut.analysedAt, 'to');
  // An analysis cannot have read the ledger at an instant still to come (a bare date is the end of its UTC day).
  const now = new Date().toISOString();
  if (analysedAt > now) {
    throw new DomainError('REVIEW.DATA_CUT_IN_FUTURE', `a data cut's analysis instant ${analysedAt} lies after the current time (${now}): no analysis has read the ledger then`, 'validation', {
      analysedAt,
      now,
    });
  }
  return { cutoff: cut.cutoff, analysedAt };
};

/**
 * Reads the log through its head once (the review is one consistent snapshot), with the protocol in
 * force at the head giving the thresholds. Memory grows with the log: the review holds every event.
 */
export const loadReviewLedger = async (
  store: EventStore,
  options: { studyId?: string; from?: string; to?: string; dataCuts?: readonly DataCut[] },
): Promise<ReviewLedger> => {
  const { from, to } = trailWindow(options);
  // The same analysis named twice (or its instant spelled two ways) is one data cut: its findings count once.
  const dataCuts = [...new Map((options.dataCuts ?? []).map(checkDataCut).map((c) => [`${c.cutoff}@${c.analysedAt}`, c])).values()];
  const position = (await store.head()).position;
  const events: StoredEvent[] = [];
  for await (const e of store.readAll({ toPosition: position, batchSize: 1000 })) events.push(e);
  const studyId = options.studyId ?? firstStudy(events);
  const studyEvents = studyId === null ? [] : events.filter((e) => e.streamId === studyStreamId(studyId));
  if (studyId === null || !studyEvents.some((e) => e.type === 'StudyRegistered')) {
    throw new DomainError('STUDY.NOT_FOUND', studyId === null ? 'No study is registered in this ledger' : `No registered study ${studyId} in this ledger`, 'not-found', { studyId });
  }
  const protocolEvent = studyEvents.filter((e) => e.type === 'StudyRegistered' || e.type === 'ProtocolAmended').at(-1);
  const protocol = (protocolEvent?.data.protocol as ProtocolDocument | undefined) ?? null;
  return {
    studyId,
    protocol,
    thresholds: reviewThresholdsOf(protocol),
    events,
    byId: new Map(events.map((e) => [e.eventId, e])),
    byStream: streams(events),
    from,
    to,
    dataCuts,
    position,
  };
};
