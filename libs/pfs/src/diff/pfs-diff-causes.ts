import { clinicalDateOf, compareDates, studyStreamId, subjectStreamId, type IsoDate } from '@trial-ledger/domain';
import type { EventStore, StoredEvent } from '@trial-ledger/event-store';
import type { PfsCause, PfsCauseKind, PfsDiffSide, PfsRowSnapshot } from './pfs-diff.types';

/**
 * The entry types the PFS derivation reads (SPEC §3): the start date, tumour assessments, clinical
 * progression, new anticancer therapy, withdrawal and death. Doses, adverse events and signatures
 * cannot move a PFS row, so they are never named as a cause.
 */
export const PFS_INPUT_TYPES: ReadonlySet<string> = new Set([
  'SubjectEnrolled',
  'TumorAssessmentRecorded',
  'ClinicalProgressionRecorded',
  'NewAnticancerTherapyStarted',
  'SubjectWithdrawn',
  'SubjectDied',
]);

const asRecord = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const targetIdOf = (e: StoredEvent): string | null => (typeof e.data.targetEventId === 'string' ? e.data.targetEventId : null);

/** An entry's current values at the end of `events`: its data with every correction of it applied. */
const currentData = (entry: StoredEvent, events: readonly StoredEvent[], upTo: number): Record<string, unknown> => {
  let data: Record<string, unknown> = { ...entry.data };
  for (const e of events) {
    if (e.globalPosition > upTo) break;
    if (e.type === 'EntryCorrected' && targetIdOf(e) === entry.eventId) data = { ...data, ...(asRecord(e.data.after) ?? {}) };
  }
  return data;
};

const inside = (cutoff: IsoDate | null, date: IsoDate): boolean => cutoff === null || compareDates(date, cutoff) <= 0;

interface CauseContext {
  readonly events: readonly StoredEvent[];
  readonly byId: ReadonlyMap<string, StoredEvent>;
  readonly decisiveIds: ReadonlySet<string>;
}

const cause = (ctx: CauseContext, e: StoredEvent, kind: PfsCauseKind, target: StoredEvent | null): PfsCause => {
  const entry = target ?? e;
  return {
    kind,
    eventId: e.eventId,
    eventType: e.type,
    position: e.globalPosition,
    recordedAt: e.metadata.recordedAt,
    user: e.metadata.actor,
    reason: e.metadata.reason ?? (typeof e.data.reason === 'string' ? e.data.reason : null),
    clinicalDate: clinicalDateOf(entry.type, currentData(entry, ctx.events, e.globalPosition)),
    target: target ? { eventId: target.eventId, eventType: target.type } : null,
    before: kind === 'correction' ? asRecord(e.data.before) : null,
    after: kind === 'correction' ? asRecord(e.data.after) : null,
    decisive: ctx.decisiveIds.has(e.eventId) || (target !== null && ctx.decisiveIds.has(target.eventId)),
  };
};

/** The date up to which the first analysis could have known facts: its data cutoff, or the day of its knowledge instant. */
export const firstSideDataEnd = (from: PfsDiffSide, fromInstant: string | null): IsoDate | null => {
  const knownDay = fromInstant === null ? null : fromInstant.slice(0, 10);
  if (from.cutoff === null) return knownDay;
  if (knownDay === null) return from.cutoff;
  return compareDates(from.cutoff, knownDay) <= 0 ? from.cutoff : knownDay;
};

/**
 * The events that moved one subject's row between the two sides: what was recorded between the two
 * knowledge points and touches a PFS input (corrections, voids, new entries — "late" when dated on or
 * before what the first analysis could know), and, when the data cuts differ, the entries known to
 * both sides whose clinical date only one cut includes.
 */
export const subjectPfsCauses = async (
  store: EventStore,
  studyId: string,
  subjectId: string,
  sides: { readonly from: PfsDiffSide; readonly to: PfsDiffSide; readonly fromDataEnd: IsoDate | null },
  rows: { readonly before: PfsRowSnapshot | null; readonly after: PfsRowSnapshot | null },
): Promise<PfsCause[]> => {
  const { from, to, fromDataEnd } = sides;
  const events = await store.readStream(subjectStreamId(studyId, subjectId), { toPosition: Math.max(from.position, to.position) });
  const byId = new Map(events.map((e) => [e.eventId, e]));
  // Decisive: a cause that is, or changes, an event either row rests on (not only ADT's source: the
  // therapy or withdrawal a censoring stands on, and the progression or death it disregards).
  const decisiveIds = new Set([...(rows.before?.restsOn ?? []), ...(rows.after?.restsOn ?? [])]);
  const ctx: CauseContext = { events, byId, decisiveIds };
  const causes: PfsCause[] = [];
  const voidedBy = new Map<string, StoredEvent>();
  for (const e of events) {
    const targetId = targetIdOf(e);
    if (e.type === 'EntryVoided' && targetId !== null) voidedBy.set(targetId, e);
    if (e.globalPosition <= from.position) continue;
    const target = targetId === null ? null : (byId.get(targetId) ?? null);
    if ((e.type === 'EntryCorrected' || e.type === 'EntryVoided') && target !== null && PFS_INPUT_TYPES.has(target.type)) {
      causes.push(cause(ctx, e, e.type === 'EntryCorrected' ? 'correction' : 'void', target));
    } else if (PFS_INPUT_TYPES.has(e.type)) {
      const date = clinicalDateOf(e.type, currentData(e, events, to.position));
      const late = date !== null && fromDataEnd !== null && compareDates(date, fromDataEnd) <= 0;
      causes.push(cause(ctx, e, late ? 'late-entry' : 'new-entry', null));
    }
  }
  if ((from.cutoff ?? '') !== (to.cutoff ?? '')) {
    for (const e of events) {
      if (e.globalPosition > from.position || !PFS_INPUT_TYPES.has(e.type) || voidedBy.has(e.eventId)) continue;
      const date = clinicalDateOf(e.type, currentData(e, events, to.position));
      if (date !== null && inside(from.cutoff, date) !== inside(to.cutoff, date)) causes.push(cause(ctx, e, 'dated-between-cutoffs', null));
    }
  }
  return causes.sort((a, b) => a.position - b.position);
};

/** Protocol amendments recorded between the two sides: they can move every row (horizon, assessment interval). */
export const studyPfsCauses = async (store: EventStore, studyId: string, from: PfsDiffSide, to: PfsDiffSide): Promise<PfsCause[]> => {
  const events = await store.readStream(studyStreamId(studyId), { toPosition: to.position });
  const ctx: CauseContext = { events, byId: new Map(), decisiveIds: new Set() };
  return events.filter((e) => e.type === 'ProtocolAmended' && e.globalPosition > from.position).map((e) => cause(ctx, e, 'protocol-amendment', null));
};
