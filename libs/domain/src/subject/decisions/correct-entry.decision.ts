import type { CorrectEntryPayload, VoidEntryPayload } from '../../commands/command.types';
import type { EntryCorrected, EntryVoided, ProtocolDeviationDetected } from '../../events/event.types';
import type { Actor } from '../../shared/actor';
import { invalid, notFound, refuse } from '../../shared/domain-error';
import { isBlankText } from '../../shared/free-text';
import { entryInWords } from '../../commands/refusal-words';
import { requireRole } from '../../study/require-role';
import { PAYLOAD_FIELDS, requirePayload, text } from '../payload.validate';
import { rebuildFacts, refoldWithChange } from '../subject.refold';
import type { EntryEvent, SubjectEntry, SubjectState } from '../subject.state';
import { COMMAND_OF_ENTRY, commandOfEntry } from './clinical.decision';
import type { ClinicalCommand, DecisionContext } from './decision.types';
import { reconcileDetectedDeviations } from './detected-deviations.decision';
import { reconcileScanDeviations, type BaselineRule } from './baseline-deviations.decision';
import { currentDoseWindows } from './dosing.decision';
import { reconcileTreatmentEndDeviations } from './treatment-end-deviations.decision';
import { assessmentRulesOf, reconcileScheduleDeviations, scheduleFactsOf } from './assessment-schedule.decision';

/**
 * Corrections and voids (21 CFR 11.10(e), ICH E6 4.9.3): the original entry is never changed; a new
 * event says what changed, who changed it, when and why. The target is named by its event id, by the
 * id of an earlier correction of it (a correction of a correction), or by the idempotency key of the
 * command that wrote it.
 */

const optionalId = (p: Record<string, unknown>, field: string): string | null => {
  const value = p[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') invalid('VALIDATION.INVALID_TYPE', `${field} must be a non-empty string`, { field });
  return value as string;
};

export interface ResolvedTarget {
  readonly entry: SubjectEntry;
  /** How the id named it: the entry itself, one of its corrections, or its void. */
  readonly via: 'entry' | 'correction' | 'void';
}

/** Finds the entry a correction or a void is about. */
export const resolveTarget = (state: SubjectState, payload: Record<string, unknown>): ResolvedTarget => {
  const eventId = optionalId(payload, 'targetEventId');
  const key = optionalId(payload, 'targetIdempotencyKey');
  if (eventId === null && key === null) invalid('VALIDATION.REQUIRED', 'targetEventId or targetIdempotencyKey is required', { field: 'targetEventId' });
  // Alternatives, as the API's DTO says: an import line naming one entry by id and another by key would otherwise act on the id's.
  if (eventId !== null && key !== null) {
    invalid('VALIDATION.FAILED', 'targetEventId and targetIdempotencyKey are alternatives: give one, not both', { fields: ['targetEventId', 'targetIdempotencyKey'] });
  }
  for (const entry of state.entries) {
    const matches = (id: string, k: string | null): boolean => (eventId !== null ? id === eventId : k !== null && k === key);
    if (matches(entry.eventId, entry.idempotencyKey)) return { entry, via: 'entry' };
    if (entry.corrections.some((c) => matches(c.eventId, c.idempotencyKey))) return { entry, via: 'correction' };
    if (entry.voided && matches(entry.voided.eventId, entry.voided.idempotencyKey)) return { entry, via: 'void' };
  }
  return notFound('ENTRY.NOT_FOUND', `No entry ${eventId ?? `written with idempotency key ${key}`} in this subject's casebook`, {
    targetEventId: eventId,
    targetIdempotencyKey: key,
  });
};

/**
 * Only someone who may record an entry may correct or void it (SPEC §2). The refusal names what was asked, "may not
 * correct an enrollment", rather than the entry's own command; its fields (`command`, `allowed`) stay the entry's command's.
 */
const requireOriginalRole = (entry: SubjectEntry, actor: Actor, verb: 'correct' | 'void'): void =>
  requireRole(COMMAND_OF_ENTRY[entry.current.type], actor, `${verb} ${entryInWords(entry.current.type)}`);

/** Eligibility entries compare with their failed criteria, `[]` when confirmed, so an outcome change shows in before/after. */
const comparableData = (event: EntryEvent): Record<string, unknown> =>
  event.type === 'EligibilityConfirmed' ? { ...event.data, failedCriteria: [] } : { ...(event.data as unknown as Record<string, unknown>) };

const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
};

/** The changed top-level fields, before and after (derived figures included). */
export const diffEntry = (before: EntryEvent, after: EntryEvent): { before: Record<string, unknown>; after: Record<string, unknown> } => {
  const a = comparableData(before);
  const b = comparableData(after);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !deepEqual(a[k], b[k]));
  return { before: Object.fromEntries(keys.map((k) => [k, a[k] ?? null])), after: Object.fromEntries(keys.map((k) => [k, b[k] ?? null])) };
};

/** The entry's current value after a correction (`after` over the current data; the type may change). */
export const applyCorrection = (current: EntryEvent, after: Readonly<Record<string, unknown>>, resultingType?: string): EntryEvent => {
  const type = (resultingType ?? current.type) as EntryEvent['type'];
  const data: Record<string, unknown> = { ...comparableData(current), ...after };
  if (type === 'EligibilityConfirmed') delete data.failedCriteria;
  return { type, data } as EntryEvent;
};

/**
 * A dose's window is derived (SPEC §1), not entered: the one stored in its event is what was known when
 * it was recorded, and a dose entered late for a lower cycle, or a lower cycle corrected, has moved it
 * since. A correction stores, as the immutable record of what the system judged at that point of the
 * log, the window as it stood just before (the casebook's) and as it stands with the change — computed
 * from the current enrollment date and the live doses, as the casebook derives it — so a window appears
 * in before/after only when this correction moves it.
 */
const withWindowsAsTheyStand = (state: SubjectState, ctx: DecisionContext, entry: SubjectEntry, corrected: EntryEvent): [EntryEvent, EntryEvent] => {
  const enrollment = state.facts.enrollment;
  if (!enrollment || (entry.current.type !== 'DoseAdministered' && corrected.type !== 'DoseAdministered')) return [entry.current, corrected];
  const windowsOf = (entries: readonly SubjectEntry[]) =>
    currentDoseWindows(
      ctx.ruleOf,
      enrollment.enrollmentDate,
      entries.flatMap((e) =>
        e.voided === null && e.current.type === 'DoseAdministered'
          ? [{ eventId: e.eventId, cycle: e.current.data.cycle, administeredOn: e.current.data.administeredOn, protocolVersion: e.protocolVersion ?? null }]
          : [],
      ),
    );
  const withWindow = (event: EntryEvent, windows: ReturnType<typeof windowsOf>): EntryEvent =>
    event.type === 'DoseAdministered' ? { ...event, data: { ...event.data, window: windows.get(entry.eventId) ?? event.data.window } } : event;
  return [
    withWindow(entry.current, windowsOf(state.entries)),
    withWindow(corrected, windowsOf(state.entries.map((e) => (e.eventId === entry.eventId ? { ...e, current: corrected } : e)))),
  ];
};

const baselineRule = (state: SubjectState, ctx: DecisionContext): BaselineRule => ({
  enrollmentDate: state.facts.enrollment?.enrollmentDate ?? null,
  baselineWindowDays: ctx.protocol.assessments.baselineWindowDays,
  modalities: ctx.protocol.assessments.modalities,
});

const requireReason = (p: Record<string, unknown>): string => {
  if (typeof p.reason !== 'string' || isBlankText(p.reason)) invalid('VALIDATION.REASON_REQUIRED', 'A reason for the change is required (Part 11 §11.10(e))', { field: 'reason' });
  return text(p, 'reason');
};

export const decideCorrectEntry = (state: SubjectState, payload: CorrectEntryPayload, ctx: DecisionContext, actor: Actor): Array<EntryCorrected | EntryVoided | ProtocolDeviationDetected> => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.CorrectEntry);
  const reason = requireReason(p);
  const changes = p.changes;
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes) || Object.keys(changes).length === 0) {
    invalid('VALIDATION.REQUIRED', 'changes must name at least one field and its new value', { field: 'changes' });
  }
  const { entry, via } = resolveTarget(state, p);
  if (via === 'void') refuse('ENTRY.NOT_CORRECTABLE', 'A void cannot be corrected', { targetEventId: entry.eventId });
  requireOriginalRole(entry, actor, 'correct');
  if (entry.voided) refuse('ENTRY.VOIDED', `Entry ${entry.eventId} was voided and cannot be corrected`, { targetEventId: entry.eventId, voidedBy: entry.voided.eventId });
  const original = commandOfEntry(entry.current);
  if (!original) {
    refuse('ENTRY.NOT_CORRECTABLE', `A ${entry.current.type} is derived by the system: void it instead of correcting it`, { targetEventId: entry.eventId, targetType: entry.current.type });
  }
  const allowed = PAYLOAD_FIELDS[original!.type];
  const notCorrectable = Object.keys(changes as object).filter((k) => !allowed.includes(k));
  if (notCorrectable.length > 0) {
    invalid('ENTRY.FIELD_NOT_CORRECTABLE', `Only recorded fields of ${original!.type} can be corrected (${allowed.join(', ')}); not: ${notCorrectable.join(', ')}`, {
      fields: notCorrectable,
      allowed: [...allowed],
    });
  }
  const command = { type: original!.type, payload: { ...(original!.payload as object), ...(changes as object) } } as ClinicalCommand;
  const { targetEvents } = refoldWithChange(state.entries, { kind: 'correct', eventId: entry.eventId, command }, ctx);
  const corrected = targetEvents[0];
  const { before, after } = diffEntry(...withWindowsAsTheyStand(state, ctx, entry, corrected));
  if (Object.keys(after).length === 0) refuse('ENTRY.NO_CHANGE', 'The correction changes nothing: the entry already holds these values', { targetEventId: entry.eventId });
  const correction: EntryCorrected = {
    type: 'EntryCorrected',
    data: {
      targetEventId: entry.eventId,
      targetType: entry.recorded.type,
      before,
      after,
      reason,
      ...(corrected.type !== entry.current.type ? { resultingType: corrected.type } : {}),
    },
  };
  // Deviations the corrected value reveals, and those it (or the re-derived windows of later cycles) withdraws.
  const { withdrawn, detected } = reconcileDetectedDeviations(
    state.entries,
    { kind: 'correct', eventId: entry.eventId, command },
    ctx,
    `the correction of ${entry.recorded.type} ${entry.eventId} (${reason})`,
  );
  // A scan's baseline flag or date corrected: follow-ups gain or lose their missing baseline, a baseline its window;
  // an enrollment date corrected: the baseline is judged against the new date.
  const correctedFacts = () => rebuildFacts(state.entries.map((e) => (e.eventId === entry.eventId ? { ...e, current: corrected } : e))).facts;
  const scans =
    entry.current.type === 'TumorAssessmentRecorded' || entry.current.type === 'SubjectEnrolled'
      ? reconcileScanDeviations(
          state.entries,
          state.facts.assessments,
          correctedFacts().assessments,
          baselineRule(state, ctx),
          `the correction of ${entry.recorded.type} ${entry.eventId} (${reason})`,
          corrected.type === 'SubjectEnrolled' ? { ...baselineRule(state, ctx), enrollmentDate: corrected.data.enrollmentDate } : undefined,
        )
      : { withdrawn: [], detected: [] };
  // The assessment schedule, whatever the entry: a scan's date or method, the baseline's method, the enrollment
  // date the windows run from, or a progression that ends the schedule may have changed.
  // A dose, scan, progression or therapy corrected (or a scan's response re-derived): doses after progression or a new therapy.
  const treatmentEnd = reconcileTreatmentEndDeviations(state.entries, state.facts, correctedFacts(), `the correction of ${entry.recorded.type} ${entry.eventId} (${reason})`);
  const schedule = reconcileScheduleDeviations(state.entries, scheduleFactsOf(state.facts), scheduleFactsOf(correctedFacts()), assessmentRulesOf(ctx), `the correction of ${entry.recorded.type} ${entry.eventId} (${reason})`);
  return [correction, ...withdrawn, ...scans.withdrawn, ...schedule.withdrawn, ...treatmentEnd.withdrawn, ...detected, ...scans.detected, ...schedule.detected, ...treatmentEnd.detected];
};

export const decideVoidEntry = (state: SubjectState, payload: VoidEntryPayload, ctx: DecisionContext, actor: Actor): Array<EntryVoided | ProtocolDeviationDetected> => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.VoidEntry);
  const reason = requireReason(p);
  const { entry, via } = resolveTarget(state, p);
  if (via !== 'entry') {
    refuse('ENTRY.NOT_VOIDABLE', 'Corrections and voids are not voided: correct the entry again instead', { targetEventId: entry.eventId });
  }
  requireOriginalRole(entry, actor, 'void');
  if (entry.voided) refuse('ENTRY.VOIDED', `Entry ${entry.eventId} is already voided`, { targetEventId: entry.eventId, voidedBy: entry.voided.eventId });
  if (entry.current.type === 'SubjectEnrolled') {
    // The roster number is in the study stream and is never reused; an enrollment in error stays on
    // record (ITT) and is handled as a deviation, not erased.
    refuse('ENTRY.NOT_VOIDABLE', 'An enrollment cannot be voided: subject numbers are never reused', { targetEventId: entry.eventId });
  }
  refoldWithChange(state.entries, { kind: 'void', eventId: entry.eventId }, ctx);
  const { withdrawn, detected } = reconcileDetectedDeviations(
    state.entries,
    { kind: 'void', eventId: entry.eventId },
    ctx,
    `the void of ${entry.recorded.type} ${entry.eventId} (${reason})`,
  );
  // A voided baseline leaves the follow-ups after it without one (their deviations come back); a voided
  // scan takes its own missing-baseline or baseline-out-of-window deviation with it.
  const scans =
    entry.current.type === 'TumorAssessmentRecorded'
      ? reconcileScanDeviations(
          state.entries,
          state.facts.assessments,
          state.facts.assessments.filter((a) => a.eventId !== entry.eventId),
          baselineRule(state, ctx),
          `the void of ${entry.recorded.type} ${entry.eventId} (${reason})`,
        )
      : { withdrawn: [], detected: [] };
  const remaining = rebuildFacts(state.entries.filter((e) => e.eventId !== entry.eventId)).facts;
  const schedule = reconcileScheduleDeviations(state.entries, scheduleFactsOf(state.facts), scheduleFactsOf(remaining), assessmentRulesOf(ctx), `the void of ${entry.recorded.type} ${entry.eventId} (${reason})`);
  const treatmentEnd = reconcileTreatmentEndDeviations(state.entries, state.facts, remaining, `the void of ${entry.recorded.type} ${entry.eventId} (${reason})`);
  return [
    { type: 'EntryVoided', data: { targetEventId: entry.eventId, targetType: entry.recorded.type, reason } },
    ...withdrawn,
    ...scans.withdrawn,
    ...schedule.withdrawn,
    ...treatmentEnd.withdrawn,
    ...detected,
    ...scans.detected,
    ...schedule.detected,
    ...treatmentEnd.detected,
  ];
};
