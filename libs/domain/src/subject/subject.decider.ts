import type { SubjectCommand } from '../commands/command.types';
import type { StudyEvent, SubjectEvent } from '../events/event.types';
import type { CommandMetadata } from '../shared/decider';
import type { Recorded } from '../shared/recorded';
import { invalid, notFound, refuse } from '../shared/domain-error';
import { dateOfInstant } from '../shared/iso-date';
import { requireRole } from '../study/require-role';
import type { RegisteredStudyState, StudyState } from '../study/study.state';
import { assessmentRuleOf, type DosingRules, ruleLookup } from '../protocol/dosing-rules';
import { currentDoseWindows } from './decisions/dosing.decision';
import { decideClinical } from './decisions/clinical.decision';
import { applyCorrection, decideCorrectEntry, decideVoidEntry } from './decisions/correct-entry.decision';
import { reconcileDetectedDeviations } from './decisions/detected-deviations.decision';
import { reconcileScanDeviations } from './decisions/baseline-deviations.decision';
import { treatmentEndOnNewEntry } from './decisions/treatment-end-deviations.decision';
import type { DecisionContext } from './decisions/decision.types';
import { assessmentRulesOf, NEW_SCAN, reconcileScheduleDeviations, scheduleFactsOf } from './decisions/assessment-schedule.decision';
import { applyEntry, rebuildFacts } from './subject.refold';
import { initialSubjectState, subjectStateOf, type EntryEvent, type RecordedSignature, type RecordedSubjectEvent, type SubjectEntry, type SubjectState } from './subject.state';

/** What a subject command reads: the subject's stream and its study's (protocol, roster, lock). */
export interface SubjectDecisionInput {
  readonly subject: SubjectState;
  readonly study: StudyState;
}

/** A subject command writes its subject stream and, for an enrollment, the study roster — atomically. */
export interface SubjectDecision {
  readonly subject: SubjectEvent[];
  readonly study: StudyEvent[];
}

/**
 * Clinical dates carry no time zone (SPEC §2) while `now` is the server's UTC instant. A site east of
 * Greenwich is already on the next calendar day for up to 14 hours (UTC+14, Kiribati), so "not in the
 * future" means: not after the calendar date somewhere on Earth at the moment of recording.
 */
const LATEST_UTC_OFFSET_MS = 14 * 3_600_000;
export const latestCalendarDate = (now: string): string => dateOfInstant(new Date(Date.parse(now) + LATEST_UTC_OFFSET_MS).toISOString());

/**
 * Subject ids are site-assigned screening codes: short, printable, and without `-`. The subject's stream
 * is `subject-{studyId}-{subjectId}` and study ids do contain dashes (`LANR-HGNET-01`); with no dash in
 * the subject id the stream name splits one way only (the subject id is what follows the last dash),
 * so subject S001 of study A-B and subject B-S001 of study A can never share a stream.
 */
export const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._]{0,63}$/;

/** `SUBJECT_ID` in words, for the refusal (`VALIDATION.INVALID_SUBJECT_ID`): `__proto__` or `_S1` break the first rule. */
export const SUBJECT_ID_RULE = 'subjectId must be 1–64 letters, digits, dots or underscores, starting with a letter or digit (no dash: it separates study and subject in the stream id)';

type Roster = RegisteredStudyState['roster'];

const rosterIndexes = new WeakMap<Roster, ReadonlyMap<string, Roster[number]>>();

/**
 * The roster's lines by lower-cased subject id (the first line of each), built once per roster: a
 * study's folded state keeps the same frozen roster array until a subject is added, so a screening
 * looks its id up instead of lower-casing every enrolled subject's.
 */
const rosterIdsByCase = (roster: Roster): ReadonlyMap<string, Roster[number]> => {
  let index = rosterIndexes.get(roster);
  if (index === undefined) {
    const byCase = new Map<string, Roster[number]>();
    for (const line of roster) if (!byCase.has(line.subjectId.toLowerCase())) byCase.set(line.subjectId.toLowerCase(), line);
    rosterIndexes.set(roster, (index = byCase));
  }
  return index;
};

/**
 * Subject ids name one subject whatever their letter case: `s900` is the subject screened as `S900`
 * (ASCII only, by `SUBJECT_ID`, so a case fold is the whole comparison; NFKC has nothing to fold).
 * The roster is what every subject command already reads, so the lookup costs nothing but O(roster).
 * A subject with a stream of its own (screened before this check existed, or while its case variant
 * was screened but not yet enrolled: the roster holds enrolled subjects only) stays addressable as it
 * is, but is never enrolled beside its variant: the roster, and so PFS and the exports, hold one of the two.
 */
const requireDistinctSubjectId = (command: SubjectCommand, subject: SubjectState, roster: Roster): void => {
  if (subject.facts.screening && command.type !== 'EnrollSubject') return;
  const existing = rosterIdsByCase(roster).get(command.subjectId.toLowerCase());
  if (existing === undefined || existing.subjectId === command.subjectId) return;
  const details = { subjectId: command.subjectId, existingSubjectId: existing.subjectId };
  if (command.type === 'EnrollSubject' && subject.facts.screening) {
    refuse('SUBJECT.ID_CONFUSABLE', `Subject ${command.subjectId} cannot be enrolled: subject ${existing.subjectId} of study ${command.studyId} is enrolled, and ids that differ only in letter case name one subject`, details);
  }
  if (command.type === 'ScreenSubject') {
    refuse('SUBJECT.ID_CONFUSABLE', `Subject id ${command.subjectId} differs only in letter case from subject ${existing.subjectId} of study ${command.studyId}: it would name the same subject`, details);
  }
  notFound('SUBJECT.NOT_FOUND', `Subject ${command.subjectId} has not been screened in this study; did you mean ${existing.subjectId}?`, details);
};

const requireStudy = (study: StudyState, studyId: string): RegisteredStudyState => {
  if (study.status === 'unregistered') return notFound('STUDY.NOT_REGISTERED', `Study ${studyId} is not registered`, { studyId });
  return study;
};

/**
 * Decides a subject command. Order of checks: the actor's role (403), the study (registered, not
 * locked), the subject id, then the command's own payload checks and rules. Time comes from
 * `metadata.now`, never a clock.
 */
export const decideSubject = (command: SubjectCommand, { subject, study }: SubjectDecisionInput, metadata: CommandMetadata): SubjectDecision => {
  requireRole(command.type, metadata.actor);
  const registered = requireStudy(study, command.studyId);
  if (registered.status === 'locked') {
    refuse('STUDY.LOCKED', `Study ${command.studyId} is locked: no clinical data can be entered or changed`, { studyId: command.studyId, lockReason: registered.lockReason });
  }
  if (typeof command.subjectId !== 'string' || !SUBJECT_ID.test(command.subjectId)) {
    invalid('VALIDATION.INVALID_SUBJECT_ID', SUBJECT_ID_RULE, { subjectId: command.subjectId });
  }
  requireDistinctSubjectId(command, subject, registered.roster);
  const ctx: DecisionContext = {
    studyId: command.studyId,
    subjectId: command.subjectId,
    protocol: registered.protocol,
    ruleOf: ruleLookup(registered.dosingRules, registered.protocol.treatment),
    eligibilityOf: ruleLookup(registered.eligibilityRules ?? [], registered.protocol.eligibility),
    assessmentsOf: ruleLookup(registered.assessmentRules ?? [], assessmentRuleOf(registered.protocol)),
    today: latestCalendarDate(metadata.now),
    subjectNumber: registered.roster.length + 1,
  };
  if (command.type === 'CorrectEntry') {
    const events = decideCorrectEntry(subject, command.payload, ctx, metadata.actor);
    const correction = events[0];
    const enrollmentDate = correction.type === 'EntryCorrected' && correction.data.targetType === 'SubjectEnrolled' ? correction.data.after.enrollmentDate : undefined;
    const rostered = registered.roster.find((r) => r.subjectId === command.subjectId);
    // The enrollment date is on the study roster too: corrected there in the same append, so the two never disagree.
    return {
      subject: events,
      study: typeof enrollmentDate === 'string' && rostered ? [{ type: 'RosterEnrollmentDateCorrected', data: { subjectId: command.subjectId, subjectNumber: rostered.subjectNumber, enrollmentDate } }] : [],
    };
  }
  if (command.type === 'VoidEntry') return { subject: decideVoidEntry(subject, command.payload, ctx, metadata.actor), study: [] };
  if (command.type === 'EnrollSubject') {
    const rostered = registered.roster.find((r) => r.subjectId === command.subjectId);
    if (rostered) {
      refuse('SUBJECT.ALREADY_ENROLLED', `Subject ${command.subjectId} is already enrolled as number ${rostered.subjectNumber}`, { subjectNumber: rostered.subjectNumber });
    }
    const events = decideClinical(command, subject.facts, ctx);
    const cap = registered.protocol.targetEnrollment;
    // The hard cap (SPEC §1): the roster lives in the study stream, which every enrollment writes, so
    // two concurrent enrollments cannot both see the last free place.
    if (registered.roster.length >= cap) {
      refuse('ENROLLMENT.CAP_REACHED', `Enrollment is closed: ${registered.roster.length} of ${cap} subjects enrolled`, { enrolled: registered.roster.length, targetEnrollment: cap });
    }
    const enrolled = events[0];
    if (enrolled.type !== 'SubjectEnrolled') throw new Error('EnrollSubject must decide SubjectEnrolled first');
    return {
      subject: events,
      study: [{ type: 'SubjectAddedToRoster', data: { subjectId: command.subjectId, subjectNumber: enrolled.data.subjectNumber, enrollmentDate: enrolled.data.enrollmentDate } }],
    };
  }
  const events = decideClinical(command, subject.facts, ctx);
  const first = events[0];
  // A dose after progression or a new therapy, whichever of them is keyed in last.
  const treatmentEnd = treatmentEndOnNewEntry(subject, first);
  if ((first.type === 'DoseAdministered' || first.type === 'DoseMissed') && [...subject.facts.doses, ...subject.facts.missedDoses].some((d) => d.cycle > first.data.cycle)) {
    // A cycle entered late: a higher cycle's skipped-cycle deviation that it closes is withdrawn, and the
    // windows of the higher cycles, which now run from a late dose, are judged again, in the same append.
    const administeredOn = first.type === 'DoseAdministered' ? first.data.administeredOn : null;
    const { withdrawn, detected } = reconcileDetectedDeviations(subject.entries, { kind: 'insert', cycle: first.data.cycle, administeredOn }, ctx, `the late entry of cycle ${first.data.cycle}`);
    return { subject: [...events, ...treatmentEnd.detected, ...withdrawn, ...treatmentEnd.withdrawn, ...detected], study: [] };
  }
  const scheduled = scheduleDeviationsOfNewEntry(subject, first, ctx);
  if (first.type === 'TumorAssessmentRecorded' && first.data.baseline) {
    // Baseline imaging entered late: the follow-ups dated after it are no longer without a baseline.
    const assessments = subject.facts.assessments;
    const baseline = { eventId: '(entered late)', assessmentDate: first.data.assessmentDate, baseline: true, overallResponse: null };
    const rule = { enrollmentDate: subject.facts.enrollment?.enrollmentDate ?? null, baselineWindowDays: registered.protocol.assessments.baselineWindowDays };
    // Only withdrawals: the baseline's own window deviation, if any, is in `events` already.
    const { withdrawn } = reconcileScanDeviations(subject.entries, assessments, [...assessments, baseline], rule, `the late entry of the baseline assessment of ${first.data.assessmentDate}`);
    return { subject: [...events, ...withdrawn, ...scheduled, ...treatmentEnd.withdrawn, ...treatmentEnd.detected], study: [] };
  }
  return { subject: [...events, ...scheduled, ...treatmentEnd.withdrawn, ...treatmentEnd.detected], study: [] };
};

/**
 * The tumour assessment schedule (`assessment-schedule.decision`) with a new scan or clinical progression:
 * the scan's own method and window deviations, the visits it reveals missed, and the withdrawals of what
 * no longer holds (a scan entered late in a window reported missed, a progression dated before scans).
 */
const scheduleDeviationsOfNewEntry = (subject: SubjectState, recorded: EntryEvent, ctx: DecisionContext): SubjectEvent[] => {
  if (recorded.type !== 'TumorAssessmentRecorded' && recorded.type !== 'ClinicalProgressionRecorded') return [];
  // Recorded now, so under the protocol in force.
  const entry = { eventId: NEW_SCAN, protocolVersion: ctx.protocol.version, recorded, current: recorded, corrections: [], voided: null } as unknown as SubjectEntry;
  const after = applyEntry(subject.facts, entry).facts;
  const what = recorded.type === 'TumorAssessmentRecorded' ? `the tumour assessment of ${recorded.data.assessmentDate}` : `the clinical progression of ${recorded.data.progressionDate}`;
  const { withdrawn, detected } = reconcileScheduleDeviations(subject.entries, scheduleFactsOf(subject.facts), scheduleFactsOf(after), assessmentRulesOf(ctx), `the entry of ${what}`);
  return [...withdrawn, ...detected];
};

/** The facts of an event's recording, without whatever else the caller's object carries. */
const recordingOf = (event: RecordedSubjectEvent): Omit<Recorded, 'type' | 'data'> => ({
  eventId: event.eventId,
  streamVersion: event.streamVersion,
  globalPosition: event.globalPosition,
  recordedAt: event.recordedAt,
  actor: event.actor,
  idempotencyKey: event.idempotencyKey,
});

const newEntry = (event: RecordedSubjectEvent & EntryEvent): SubjectEntry => {
  const recorded = { type: event.type, data: event.data } as EntryEvent;
  return { ...recordingOf(event), protocolVersion: event.protocolVersion ?? null, recorded, current: recorded, corrections: [], voided: null };
};

const recordedSignature = (event: RecordedSignature): RecordedSignature => ({ type: event.type, data: event.data, ...recordingOf(event) }) as RecordedSignature;

/**
 * Folds one recorded subject event. A correction replaces the entry's current value and a void marks
 * it; either way the facts are re-folded from the entries, so every rule and every derived figure
 * sees the corrected, non-voided history from then on.
 */
export const evolveSubject = (state: SubjectState, event: RecordedSubjectEvent): SubjectState => {
  switch (event.type) {
    case 'EntryCorrected': {
      const { targetEventId, before: _before, after, reason, resultingType } = event.data;
      const entries = state.entries.map((entry) =>
        entry.eventId !== targetEventId
          ? entry
          : {
              ...entry,
              current: applyCorrection(entry.current, after, resultingType),
              corrections: [
                ...entry.corrections,
                {
                  eventId: event.eventId,
                  streamVersion: event.streamVersion,
                  globalPosition: event.globalPosition,
                  idempotencyKey: event.idempotencyKey,
                  reason,
                  before: event.data.before,
                  after,
                  recordedAt: event.recordedAt,
                  actor: event.actor,
                },
              ],
            },
      );
      const rebuilt = rebuildFacts(entries);
      return subjectStateOf(rebuilt.facts, rebuilt.entries, event.streamVersion, state.signatures);
    }
    case 'EntryVoided': {
      const { targetEventId, reason } = event.data;
      const entries = state.entries.map((entry) =>
        entry.eventId !== targetEventId
          ? entry
          : {
              ...entry,
              voided: {
                eventId: event.eventId,
                streamVersion: event.streamVersion,
                globalPosition: event.globalPosition,
                idempotencyKey: event.idempotencyKey,
                reason,
                recordedAt: event.recordedAt,
                actor: event.actor,
              },
            },
      );
      const rebuilt = rebuildFacts(entries);
      return subjectStateOf(rebuilt.facts, rebuilt.entries, event.streamVersion, state.signatures);
    }
    case 'CasebookSigned':
    case 'RecordSigned':
      // Signatures attest to entries (see identity/signature.ts); they change no clinical fact.
      return { ...state, signatures: [...state.signatures, recordedSignature(event)], version: event.streamVersion };
    default: {
      const step = applyEntry(state.facts, newEntry(event));
      return subjectStateOf(step.facts, [...state.entries, step.entry], event.streamVersion, state.signatures);
    }
  }
};

export const foldSubject = (events: readonly RecordedSubjectEvent[]): SubjectState => events.reduce(evolveSubject, initialSubjectState());

/** The subject aggregate (STYLE: `initialState`, `evolve`, `decide`); `decide` also reads the study. */
export const subjectDecider = {
  decide: decideSubject,
  evolve: evolveSubject,
  initialState: initialSubjectState,
} as const;

/**
 * The casebook as it stands: every entry's current (corrected) value, voided entries left out, in
 * recording order. This is the view projections and the PFS derivation should use ("corrected values
 * are used; voided entries are not", SPEC §3).
 */
export const currentSubjectEntries = (state: SubjectState, rules?: DosingRules): SubjectEntry[] => {
  const live = state.entries.filter((e) => e.voided === null);
  const enrollment = state.facts.enrollment;
  if (!rules || !enrollment) return live;
  // With the schedules at hand, each dose carries the window that follows from the corrected dates,
  // under the protocol version it was recorded under.
  const windows = currentDoseWindows(rules, enrollment.enrollmentDate, state.facts.doses);
  return live.map((e) => (e.current.type === 'DoseAdministered' ? { ...e, current: { ...e.current, data: { ...e.current.data, window: windows.get(e.eventId)! } } } : e));
};

/** The current events only (type + corrected data), for projections that fold plain events. */
export const currentSubjectEvents = (state: SubjectState, rules?: DosingRules): EntryEvent[] => currentSubjectEntries(state, rules).map((e) => e.current);

/** Convenience: the current entries of a subject from its recorded events. */
export const currentEntriesOf = (events: readonly RecordedSubjectEvent[]): SubjectEntry[] => currentSubjectEntries(foldSubject(events));
