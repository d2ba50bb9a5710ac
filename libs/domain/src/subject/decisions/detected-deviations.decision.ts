import type { EntryVoided, ProtocolDeviationDetected } from '../../events/event.types';
import { DomainError } from '../../shared/domain-error';
import { applyEntry } from '../subject.refold';
import type { RefoldChange } from '../subject.refold';
import type { IsoDate } from '../../shared/iso-date';
import { emptyFacts, type DoseFact, type EntryEvent, type SubjectEntry } from '../subject.state';
import { commandOfEntry, decideClinical } from './clinical.decision';
import { DETECTED_DEVIATIONS } from './dosing.decision';
import type { DecisionContext } from './decision.types';

/**
 * Keeps the system-detected deviations (ICH E3 10.2) in step with corrections and voids of doses.
 *
 * A `ProtocolDeviationDetected` is derived from a dose or a missed dose: its window (cycle n+1 is due
 * at the previous dose + 28 ± 3 days), dose, route and cycle sequence. When a correction or a void
 * changes what that derivation yields — for the entry itself or for any later dose whose window hung
 * on it — the same decision withdraws the deviations that no longer hold (`EntryVoided`) and records
 * the ones that now do, so the deviation log never depends on someone remembering to void by hand.
 *
 * Only what the change itself changes is touched: each dosing entry is decided twice, against the
 * casebook as it stands and against the casebook with the change, and only the difference acts. A
 * deviation someone voided by hand, one recorded by hand (`ProtocolDeviationRecorded`), or one that a
 * later protocol amendment would no longer derive stays as it is.
 */

const DOSING_ENTRIES: ReadonlySet<EntryEvent['type']> = new Set(['DoseAdministered', 'DoseMissed']);

/** A detected deviation is identified by its category and cycle (its description may change with dates). */
const keyOf = (category: string, cycle: number | null | undefined): string => `${category}#${cycle ?? '-'}`;

const detectedKeys = (events: readonly EntryEvent[]): Map<string, ProtocolDeviationDetected> =>
  new Map(
    events
      .filter((e): e is ProtocolDeviationDetected => e.type === 'ProtocolDeviationDetected')
      .map((e) => [keyOf(e.data.category, e.data.cycle), e]),
  );

/**
 * What each dosing entry decides in recording order (the deviations it implies), with the change
 * applied or not. A dose's window runs from the dose of the highest cycle below it (`currentDoseWindows`),
 * also one recorded after it: `doses` are the doses on record with the change applied, and each dose is
 * decided with the lower cycles' doses among them that were recorded later (a dose entered late, a
 * corrected one). An entry whose rules no longer decide (e.g. under an amended protocol) is left out:
 * nothing is reconciled for it. Also gives the doses on record with the change applied.
 */
const decideInRecordingOrder = (
  entries: readonly SubjectEntry[],
  ctx: DecisionContext,
  change: DeviationChange | null,
  doses: readonly DoseFact[],
): { decided: Map<string, readonly EntryEvent[]>; doses: readonly DoseFact[] } => {
  const decided = new Map<string, readonly EntryEvent[]>();
  /** Per dosing entry, the highest cycle on record when it was decided: its skipped cycles lie above. */
  const highestBefore = new Map<string, number>();
  const cycles = new Set<number>(change?.kind === 'insert' ? [change.cycle] : []);
  let facts = emptyFacts();
  for (const entry of entries) {
    if (entry.voided) continue;
    const changed = change !== null && change.kind !== 'insert' && entry.eventId === change.eventId;
    if (changed && change.kind === 'void') {
      decided.set(entry.eventId, []);
      continue;
    }
    const command = changed && change.kind === 'correct' ? change.command : commandOfEntry(entry.current);
    if (DOSING_ENTRIES.has(entry.current.type)) highestBefore.set(entry.eventId, Math.max(0, ...facts.doses.map((d) => d.cycle), ...facts.missedDoses.map((d) => d.cycle)));
    let current = entry.current;
    // The changed entry is always re-decided (a corrected enrollment date moves cycle 1's window).
    if (command && (changed || DOSING_ENTRIES.has(entry.current.type))) {
      try {
        const subjectNumber = entry.current.type === 'SubjectEnrolled' ? entry.current.data.subjectNumber : ctx.subjectNumber;
        const cycle = doses.find((d) => d.eventId === entry.eventId)?.cycle;
        const recordedLater = cycle === undefined ? [] : doses.filter((d) => d.cycle < cycle && !facts.doses.some((f) => f.eventId === d.eventId));
        // An unchanged entry is re-decided for its deviations, not for the format rules of its values.
        const events = decideClinical(
          command,
          { ...facts, doses: [...facts.doses, ...recordedLater] },
          // Each dose is judged by the schedule of the protocol version it was recorded under.
          { ...ctx, subjectNumber, precision: changed ? ctx.precision : 'recorded', recordedUnder: entry.protocolVersion ?? null },
        );
        if (DOSING_ENTRIES.has(entry.current.type)) decided.set(entry.eventId, events);
        current = events[0];
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    if (current.type === 'DoseAdministered' || current.type === 'DoseMissed') cycles.add(current.data.cycle);
    facts = applyEntry(facts, { ...entry, current }).facts;
  }
  // A skipped cycle is one without any record: a dose or missed dose entered late for it (recorded
  // after the higher cycle that reported the gap) closes the gap, whatever the order of entry.
  for (const [eventId, events] of decided) {
    const highest = highestBefore.get(eventId) ?? 0;
    const stillSkipped = (cycle: number | null | undefined): boolean =>
      cycle != null && Array.from({ length: Math.max(0, cycle - highest - 1) }, (_, i) => highest + 1 + i).some((c) => !cycles.has(c));
    decided.set(
      eventId,
      events.filter((e) => e.type !== 'ProtocolDeviationDetected' || e.data.category !== DETECTED_DEVIATIONS.skippedCycle || stillSkipped(e.data.cycle)),
    );
  }
  // The dose entered late is recorded now, under the protocol in force.
  const inserted = change?.kind === 'insert' && change.administeredOn !== null ? [{ eventId: INSERTED, cycle: change.cycle, administeredOn: change.administeredOn, protocolVersion: ctx.protocol.version }] : [];
  return { decided, doses: [...facts.doses, ...inserted] };
};

/** The dose entered late, before it has an event id. */
const INSERTED = '(entered late)';

/**
 * `decideInRecordingOrder` twice: once to learn the doses on record with the change applied, once to
 * decide every dose against the lower cycles among them.
 */
const dosingDecisions = (entries: readonly SubjectEntry[], ctx: DecisionContext, change: DeviationChange | null): Map<string, readonly EntryEvent[]> =>
  decideInRecordingOrder(entries, ctx, change, decideInRecordingOrder(entries, ctx, change, []).doses).decided;

/**
 * The dosing entry each detected deviation belongs to: the one it names (`relatedEventId`), or else
 * the dose or missed dose it was recorded with (`RecordDose` appends the dose and its deviations
 * together, so it is the nearest dosing entry before it).
 */
const ownersOfDetected = (entries: readonly SubjectEntry[]): Map<string, SubjectEntry[]> => {
  const owned = new Map<string, SubjectEntry[]>();
  let lastDosing: string | null = null;
  for (const entry of entries) {
    if (DOSING_ENTRIES.has(entry.recorded.type)) lastDosing = entry.eventId;
    if (entry.current.type !== 'ProtocolDeviationDetected') continue;
    const owner = entry.current.data.relatedEventId ?? lastDosing;
    if (owner === null) continue;
    owned.set(owner, [...(owned.get(owner) ?? []), entry]);
  }
  return owned;
};

/**
 * The start of a withdrawal's reason when a deviation still holds but no longer reads true — a dose date
 * corrected from 7 to 8 days late, a skipped cycle's dose moved — so it is recorded again as the corrected
 * entry now says (its date and description), as if that value had been entered in the first place.
 */
export const RESTATED = 'Restated as the entry now reads after';

/** Whether deviation `now` says something else than `was` (its date or description; category and cycle are the same). */
export const restates = (was: ProtocolDeviationDetected, now: ProtocolDeviationDetected): boolean =>
  was.data.deviationDate !== now.data.deviationDate || was.data.description !== now.data.description || was.data.severity !== now.data.severity;

export interface DeviationReconciliation {
  readonly withdrawn: EntryVoided[];
  readonly detected: ProtocolDeviationDetected[];
}

/**
 * The live detected deviations of `categories` on record, by `category#id` of the entry they concern: their
 * `relatedEventId`, else the last entry of `anchorType` before them (a deviation recorded in its entry's append).
 */
export const detectedOnRecordBy = (entries: readonly SubjectEntry[], categories: ReadonlySet<string>, anchorType: EntryEvent['type']): Map<string, SubjectEntry[]> => {
  const owned = new Map<string, SubjectEntry[]>();
  let lastAnchor: string | null = null;
  for (const entry of entries) {
    if (entry.recorded.type === anchorType) lastAnchor = entry.eventId;
    const event = entry.current;
    if (entry.voided || event.type !== 'ProtocolDeviationDetected' || !categories.has(event.data.category)) continue;
    const anchor = event.data.relatedEventId ?? lastAnchor;
    if (anchor === null) continue;
    const key = `${event.data.category}#${anchor}`;
    owned.set(key, [...(owned.get(key) ?? []), entry]);
  }
  return owned;
};

/**
 * From the deviations that held before a change (`was`) and hold after it (`now`), keyed alike, and those on
 * record: the withdrawals of what no longer holds and the detections of what now does. Only what the change
 * changes acts — one that held before and after keeps whatever is on record (one voided by hand is not
 * re-detected unasked) — unless it no longer reads true (`differs`): then it is restated, withdrawn and
 * recorded again. `why` ends the withdrawal's reason.
 */
export const reconcileKeyed = (
  was: ReadonlyMap<string, ProtocolDeviationDetected>,
  now: ReadonlyMap<string, ProtocolDeviationDetected>,
  onRecord: ReadonlyMap<string, readonly SubjectEntry[]>,
  why: string,
  differs: (a: ProtocolDeviationDetected, b: ProtocolDeviationDetected) => boolean = restates,
): DeviationReconciliation => {
  const restated = new Set(
    [...onRecord]
      .filter(([key, deviations]) => was.has(key) && now.has(key) && differs(was.get(key)!, now.get(key)!) && deviations.some((d) => d.current.type === 'ProtocolDeviationDetected' && differs(d.current, now.get(key)!)))
      .map(([key]) => key),
  );
  const withdrawn = [...onRecord]
    .filter(([key]) => (was.has(key) && !now.has(key)) || restated.has(key))
    .flatMap(([key, deviations]) =>
      deviations.map((d): EntryVoided => ({
        type: 'EntryVoided',
        data: { targetEventId: d.eventId, targetType: 'ProtocolDeviationDetected', reason: restated.has(key) ? `${RESTATED} ${why}` : `No longer a deviation after ${why}` },
      })),
    );
  const detected = [...now].filter(([key]) => (!was.has(key) && !onRecord.has(key)) || restated.has(key)).map(([, deviation]) => deviation);
  return { withdrawn, detected };
};

/**
 * What changes the detected deviations: a correction or void of an entry, or a dose or missed dose
 * entered late for a cycle below one already on record (`insert`: a record of that cycle, and for a dose
 * given, `administeredOn`, from which the windows of the higher cycles now run).
 */
export type DeviationChange = RefoldChange | { readonly kind: 'insert'; readonly cycle: number; readonly administeredOn: IsoDate | null };

/**
 * The deviation events a correction or void of one entry, or a late entry, implies. `changeLabel` names
 * the change in the withdrawal's reason (the correction's own event id is assigned only when it is appended).
 */

export const reconcileDetectedDeviations = (
  entries: readonly SubjectEntry[],
  change: DeviationChange,
  ctx: DecisionContext,
  changeLabel: string,
): DeviationReconciliation => {
  const before = dosingDecisions(entries, ctx, null);
  const after = dosingDecisions(entries, ctx, change);
  const owners = ownersOfDetected(entries);
  const withdrawn: EntryVoided[] = [];
  const detected: ProtocolDeviationDetected[] = [];
  for (const [ownerId, afterEvents] of after) {
    const beforeEvents = before.get(ownerId);
    if (beforeEvents === undefined) continue;
    const was = detectedKeys(beforeEvents);
    const now = detectedKeys(afterEvents);
    const onRecord = (owners.get(ownerId) ?? []).filter((e) => e.voided === null);
    const recordedKeys = new Set(onRecord.map((e) => (e.current.type === 'ProtocolDeviationDetected' ? keyOf(e.current.data.category, e.current.data.cycle) : '')));
    const restated = new Set<string>();
    for (const deviation of onRecord) {
      if (deviation.current.type !== 'ProtocolDeviationDetected') continue;
      const key = keyOf(deviation.current.data.category, deviation.current.data.cycle);
      if (was.has(key) && now.has(key) && restates(was.get(key)!, now.get(key)!) && restates(deviation.current, now.get(key)!)) {
        restated.add(key);
        withdrawn.push({ type: 'EntryVoided', data: { targetEventId: deviation.eventId, targetType: 'ProtocolDeviationDetected', reason: `${RESTATED} ${changeLabel}` } });
      } else if (was.has(key) && !now.has(key)) {
        withdrawn.push({
          type: 'EntryVoided',
          data: { targetEventId: deviation.eventId, targetType: 'ProtocolDeviationDetected', reason: `No longer a deviation after ${changeLabel}` },
        });
      }
    }
    for (const [key, deviation] of now) {
      if ((!was.has(key) && !recordedKeys.has(key)) || restated.has(key)) detected.push({ ...deviation, data: { ...deviation.data, relatedEventId: ownerId } });
    }
  }
  return { withdrawn, detected };
};
