import {
  DomainError,
  addDays,
  bestOverallResponse,
  compareDates,
  currentDoseWindows,
  evaluateAssessments,
  type Actor,
  type AssessmentEvaluation,
  type IsoDate,
  type ProtocolDocument,
  type TargetLesionInput,
  type TumorAssessmentInput,
} from '@trial-ledger/domain';
import type { ProjectedEvent } from '../projected-event';
import type {
  AdverseEventView,
  AssessmentView,
  CasebookEntry,
  ClinicalProgressionView,
  CorrectionRecord,
  DeviationView,
  DoseView,
  DosingSchedule,
  EntryProvenance,
  MissedDoseView,
  NewTherapyView,
  NextDoseDue,
  SignatureView,
  SubjectCasebook,
  SubjectStatus,
  VoidRecord,
} from './subject-casebook.types';

/** The signature event type written by the identity/signature slice (SPEC §5); read loosely by shape. */
export const CASEBOOK_SIGNED = 'CasebookSigned';
export const RECORD_SIGNED = 'RecordSigned';

export const initialCasebook = (studyId: string, subjectId: string, streamId: string): SubjectCasebook => ({
  studyId,
  subjectId,
  streamId,
  lastPosition: 0,
  streamVersion: 0,
  lastRecordedAt: null,
  schedule: null,
  status: 'not-screened',
  screening: null,
  eligibility: null,
  enrollment: null,
  doses: [],
  missedDoses: [],
  nextDose: null,
  deviations: [],
  assessments: [],
  bestOverallResponse: null,
  recistIssue: null,
  clinicalProgressions: [],
  newAnticancerTherapies: [],
  adverseEvents: [],
  treatmentDiscontinuation: null,
  withdrawal: null,
  death: null,
  corrections: [],
  voids: [],
  signatures: [],
  entries: [],
});

/** The part of the protocol document the casebook needs (the dosing schedule for the next dose due). */
export const scheduleOf = (protocol: ProtocolDocument): DosingSchedule => ({
  protocolVersion: protocol.version,
  intervalDays: protocol.treatment.intervalDays,
  windowDays: protocol.treatment.windowDays,
  firstDoseFromDay: protocol.treatment.firstDose.fromDay,
  firstDoseToDay: protocol.treatment.firstDose.toDay,
});

/** A protocol registered or amended: the schedule changes, the views are re-derived. */
export const withProtocol = (casebook: SubjectCasebook, protocol: ProtocolDocument): SubjectCasebook =>
  derive({ ...casebook, schedule: scheduleOf(protocol) }, false);

/**
 * Folds one event of the subject's stream into its casebook. Idempotent: an event at or before the
 * last folded position changes nothing, so a replayed batch after a restart is harmless.
 */
export const evolveCasebook = (casebook: SubjectCasebook, event: ProjectedEvent): SubjectCasebook => {
  if (event.globalPosition <= casebook.lastPosition) return casebook;
  const moved: SubjectCasebook = {
    ...casebook,
    lastPosition: event.globalPosition,
    streamVersion: event.streamVersion,
    lastRecordedAt: event.recordedAt,
  };
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'EntryCorrected':
      return derive(applyCorrection(moved, event, data), touchesRecist(moved, String(data.targetEventId)));
    case 'EntryVoided':
      return derive(applyVoid(moved, event, data), touchesRecist(moved, String(data.targetEventId)));
    case CASEBOOK_SIGNED:
    case RECORD_SIGNED:
      return derive({ ...moved, signatures: [...moved.signatures, signatureOf(event, data)] }, false);
    default:
      return derive({ ...moved, entries: [...moved.entries, entryOf(event, data)] }, RECIST_INPUTS.has(event.type));
  }
};

/** Entries whose change can move a RECIST response or the best response (its start date). */
const RECIST_INPUTS = new Set(['TumorAssessmentRecorded', 'SubjectEnrolled']);

/** Whether a correction or void of `targetEventId` (an entry, or a correction of one) reaches RECIST. */
const touchesRecist = (casebook: SubjectCasebook, targetEventId: string): boolean => {
  const correction = casebook.corrections.find((c) => c.eventId === targetEventId);
  const entryId = correction ? correction.targetEventId : targetEventId;
  const entry = casebook.entries.find((e) => e.eventId === entryId);
  return entry === undefined || RECIST_INPUTS.has(entry.type);
};

const entryOf = (event: ProjectedEvent, data: Record<string, unknown>): CasebookEntry => ({
  eventId: event.eventId,
  type: event.type,
  streamVersion: event.streamVersion,
  globalPosition: event.globalPosition,
  recordedAt: event.recordedAt,
  recordedBy: event.actor,
  original: data,
  current: data,
  correctionIds: [],
  voidedBy: null,
});

const signatureOf = (event: ProjectedEvent, data: Record<string, unknown>): SignatureView => ({
  eventId: event.eventId,
  globalPosition: event.globalPosition,
  signedBy: event.actor,
  signedAt: event.recordedAt,
  meaning: typeof data.meaning === 'string' ? data.meaning : null,
  scope: event.type === RECORD_SIGNED && typeof data.targetEventId === 'string' ? { eventId: data.targetEventId } : 'casebook',
  signedHash: firstString(data.signedHash, data.casebookHash, data.hash),
  superseded: false,
  supersededBy: null,
});

const firstString = (...values: unknown[]): string | null => (values.find((v) => typeof v === 'string') as string | undefined) ?? null;

const applyCorrection = (casebook: SubjectCasebook, event: ProjectedEvent, data: Record<string, unknown>): SubjectCasebook => {
  const correction: CorrectionRecord = {
    eventId: event.eventId,
    globalPosition: event.globalPosition,
    targetEventId: String(data.targetEventId),
    targetType: String(data.targetType ?? ''),
    before: (data.before as Record<string, unknown>) ?? {},
    after: (data.after as Record<string, unknown>) ?? {},
    reason: String(data.reason ?? event.reason ?? ''),
    recordedAt: event.recordedAt,
    recordedBy: event.actor,
    voided: false,
  };
  const corrections = [...casebook.corrections, correction];
  return { ...casebook, corrections, entries: recomputeEntry(casebook.entries, correction.targetEventId, corrections) };
};

const applyVoid = (casebook: SubjectCasebook, event: ProjectedEvent, data: Record<string, unknown>): SubjectCasebook => {
  const targetEventId = String(data.targetEventId);
  const target = casebook.entries.find((e) => e.eventId === targetEventId);
  const voidedCorrection = casebook.corrections.find((c) => c.eventId === targetEventId);
  const record: VoidRecord = {
    eventId: event.eventId,
    globalPosition: event.globalPosition,
    targetEventId,
    targetType: String(data.targetType ?? target?.type ?? (voidedCorrection ? 'EntryCorrected' : '')),
    reason: String(data.reason ?? event.reason ?? ''),
    recordedAt: event.recordedAt,
    recordedBy: event.actor,
    voidedData: target ? target.current : voidedCorrection ? { before: voidedCorrection.before, after: voidedCorrection.after } : null,
  };
  const voids = [...casebook.voids, record];
  if (voidedCorrection) {
    // Voiding a correction undoes it: the entry falls back to its other corrections (or the original).
    const corrections = casebook.corrections.map((c) => (c.eventId === targetEventId ? { ...c, voided: true } : c));
    return { ...casebook, voids, corrections, entries: recomputeEntry(casebook.entries, voidedCorrection.targetEventId, corrections) };
  }
  const entries = casebook.entries.map((e) => (e.eventId === targetEventId ? { ...e, voidedBy: event.eventId } : e));
  return { ...casebook, voids, entries };
};

/** The entry's current values: its original data with each non-voided correction's `after` applied in order. */
const recomputeEntry = (
  entries: readonly CasebookEntry[],
  targetEventId: string,
  corrections: readonly CorrectionRecord[],
): CasebookEntry[] =>
  entries.map((entry) => {
    if (entry.eventId !== targetEventId) return entry;
    const applied = corrections.filter((c) => c.targetEventId === targetEventId && !c.voided);
    const current = applied.reduce<Record<string, unknown>>((values, c) => ({ ...values, ...c.after }), { ...entry.original });
    return { ...entry, current, correctionIds: applied.map((c) => c.eventId) };
  });

// ---------------------------------------------------------------------------------------------
// Views: re-derived from the live entries after every event, so corrections and voids reach them
// ---------------------------------------------------------------------------------------------

const live = (casebook: SubjectCasebook, type: string): CasebookEntry[] =>
  casebook.entries.filter((e) => e.type === type && e.voidedBy === null);

const latest = (casebook: SubjectCasebook, ...types: string[]): CasebookEntry | undefined =>
  casebook.entries.filter((e) => types.includes(e.type) && e.voidedBy === null).at(-1);

const provenance = (entry: CasebookEntry): EntryProvenance => ({
  eventId: entry.eventId,
  recordedAt: entry.recordedAt,
  recordedBy: entry.recordedBy as Actor,
  corrected: entry.correctionIds.length > 0,
});

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const num = (value: unknown): number => Number(value);

const byDate = <T>(date: (item: T) => IsoDate) => (a: T, b: T): number => compareDates(date(a), date(b));

/**
 * Re-derives every view from the live entries. RECIST is the costly part and depends only on the
 * assessments and the enrollment date, so it is re-run only when one of those may have changed.
 */
const derive = (casebook: SubjectCasebook, recistChanged: boolean): SubjectCasebook => {
  const screened = latest(casebook, 'SubjectScreened');
  const eligibility = latest(casebook, 'EligibilityConfirmed', 'SubjectScreenFailed');
  const enrolled = latest(casebook, 'SubjectEnrolled');
  const discontinued = latest(casebook, 'TreatmentDiscontinued');
  const withdrawn = latest(casebook, 'SubjectWithdrawn');
  const died = latest(casebook, 'SubjectDied');

  // Windows follow the corrected dates (cycle n+1 = corrected previous dose + interval), not the ones
  // stored when each dose was recorded; without the schedule the stored window is shown.
  const liveDoses = live(casebook, 'DoseAdministered');
  const enrollmentDate = enrolled ? str(enrolled.current.enrollmentDate) : null;
  const currentWindows =
    casebook.schedule && enrollmentDate
      ? currentDoseWindows(
          {
            intervalDays: casebook.schedule.intervalDays,
            windowDays: casebook.schedule.windowDays,
            firstDose: { fromDay: casebook.schedule.firstDoseFromDay, toDay: casebook.schedule.firstDoseToDay },
          },
          enrollmentDate,
          liveDoses.map((e) => ({ eventId: e.eventId, cycle: num(e.current.cycle), administeredOn: str(e.current.administeredOn) })),
        )
      : null;
  const doses: DoseView[] = liveDoses
    .map((e) => {
      const d = e.current;
      const window = currentWindows?.get(e.eventId) ?? (d.window as DoseView['window']) ?? null;
      const administeredOn = str(d.administeredOn);
      return {
        ...provenance(e),
        cycle: num(d.cycle),
        administeredOn,
        doseMg: num(d.doseMg),
        route: str(d.route),
        lotNumber: str(d.lotNumber),
        injectionSite: str(d.injectionSite),
        window,
        withinWindow: window ? administeredOn >= window.from && administeredOn <= window.to : null,
      };
    })
    .sort((a, b) => a.cycle - b.cycle || compareDates(a.administeredOn, b.administeredOn));

  const missedDoses: MissedDoseView[] = live(casebook, 'DoseMissed')
    .map((e) => ({ ...provenance(e), cycle: num(e.current.cycle), dueOn: str(e.current.dueOn), reason: str(e.current.reason) }))
    .sort((a, b) => a.cycle - b.cycle);

  const deviations: DeviationView[] = casebook.entries
    .filter((e) => (e.type === 'ProtocolDeviationDetected' || e.type === 'ProtocolDeviationRecorded') && e.voidedBy === null)
    .map((e) => ({
      ...provenance(e),
      source: e.type === 'ProtocolDeviationDetected' ? ('detected' as const) : ('recorded' as const),
      deviationDate: str(e.current.deviationDate),
      category: str(e.current.category),
      description: str(e.current.description),
      severity: e.current.severity === 'major' ? ('major' as const) : ('minor' as const),
      cycle: e.current.cycle === undefined || e.current.cycle === null ? null : num(e.current.cycle),
      relatedEventId: e.current.relatedEventId ? str(e.current.relatedEventId) : null,
    }))
    // A deviation detected from a dose that was later voided no longer stands.
    .filter((d) => d.relatedEventId === null || !casebook.entries.some((e) => e.eventId === d.relatedEventId && e.voidedBy !== null))
    .sort(byDate((d) => d.deviationDate));

  const enrollment = enrolled
    ? { subjectNumber: num(enrolled.current.subjectNumber), enrollmentDate: str(enrolled.current.enrollmentDate), eventId: enrolled.eventId }
    : null;
  const recist = recistChanged
    ? deriveAssessments(live(casebook, 'TumorAssessmentRecorded'), enrollment?.enrollmentDate ?? null)
    : { assessments: casebook.assessments, best: casebook.bestOverallResponse, issue: casebook.recistIssue };

  const status: SubjectStatus = died
    ? 'died'
    : withdrawn
      ? 'withdrawn'
      : discontinued
        ? 'treatment-discontinued'
        : enrolled
          ? 'enrolled'
          : eligibility?.type === 'EligibilityConfirmed'
            ? 'eligible'
            : eligibility?.type === 'SubjectScreenFailed'
              ? 'screen-failed'
              : screened
                ? 'screened'
                : 'not-screened';

  // Part 11 §11.70/§5 (the same rule as the domain's `signatureStatus`): a casebook signature covers every
  // entry recorded before it, a record signature that one record; a later correction or void of anything
  // covered — or of a correction of it — supersedes the signature. New facts recorded later do not.
  const changes = [...casebook.corrections, ...casebook.voids].sort((a, b) => a.globalPosition - b.globalPosition);
  const positionOf = new Map<string, number>([...casebook.entries, ...casebook.corrections].map((e) => [e.eventId, e.globalPosition]));
  const correctionTarget = new Map(casebook.corrections.map((c) => [c.eventId, c.targetEventId]));
  const rootEntry = (eventId: string): string => {
    let id = eventId;
    for (let next = correctionTarget.get(id); next !== undefined; next = correctionTarget.get(id)) id = next;
    return id;
  };
  const signatures = casebook.signatures.map((s) => {
    const covers = (targetEventId: string): boolean =>
      s.scope === 'casebook' ? (positionOf.get(targetEventId) ?? Number.POSITIVE_INFINITY) < s.globalPosition : rootEntry(targetEventId) === s.scope.eventId;
    const later = changes.find((c) => c.globalPosition > s.globalPosition && covers(c.targetEventId));
    return { ...s, superseded: later !== undefined, supersededBy: later?.eventId ?? null };
  });

  return {
    ...casebook,
    status,
    screening: screened
      ? {
          screeningDate: str(screened.current.screeningDate),
          consentDate: str(screened.current.consentDate),
          sex: str(screened.current.sex),
          birthYear: num(screened.current.birthYear),
          eventId: screened.eventId,
        }
      : null,
    eligibility: eligibility
      ? {
          confirmed: eligibility.type === 'EligibilityConfirmed',
          assessmentDate: str(eligibility.current.assessmentDate),
          failedCriteria: (eligibility.current.failedCriteria as string[] | undefined) ?? [],
          inputs: eligibility.current,
          eventId: eligibility.eventId,
        }
      : null,
    enrollment,
    doses,
    missedDoses,
    nextDose: status === 'enrolled' && enrollment && casebook.schedule ? nextDoseDue(casebook.schedule, enrollment.enrollmentDate, doses, missedDoses) : null,
    deviations,
    assessments: recist.assessments,
    bestOverallResponse: recist.best,
    recistIssue: recist.issue,
    clinicalProgressions: live(casebook, 'ClinicalProgressionRecorded')
      .map((e): ClinicalProgressionView => ({ ...provenance(e), progressionDate: str(e.current.progressionDate), basis: str(e.current.basis) }))
      .sort(byDate((p) => p.progressionDate)),
    newAnticancerTherapies: live(casebook, 'NewAnticancerTherapyStarted')
      .map((e): NewTherapyView => ({ ...provenance(e), startDate: str(e.current.startDate), therapy: str(e.current.therapy) }))
      .sort(byDate((t) => t.startDate)),
    adverseEvents: live(casebook, 'AdverseEventReported')
      .map(
        (e): AdverseEventView => ({
          ...provenance(e),
          term: str(e.current.term),
          onsetDate: str(e.current.onsetDate),
          ctcaeGrade: num(e.current.ctcaeGrade),
          serious: e.current.serious === true,
          relatedness: str(e.current.relatedness),
        }),
      )
      .sort(byDate((a) => a.onsetDate)),
    treatmentDiscontinuation: discontinued
      ? { discontinuationDate: str(discontinued.current.discontinuationDate), reason: str(discontinued.current.reason), eventId: discontinued.eventId }
      : null,
    withdrawal: withdrawn
      ? { withdrawalDate: str(withdrawn.current.withdrawalDate), reason: str(withdrawn.current.reason), eventId: withdrawn.eventId }
      : null,
    death: died ? { deathDate: str(died.current.deathDate), cause: str(died.current.cause), eventId: died.eventId } : null,
    signatures,
  };
};

const nextDoseDue = (
  schedule: DosingSchedule,
  enrollmentDate: IsoDate,
  doses: readonly DoseView[],
  missed: readonly MissedDoseView[],
): NextDoseDue => {
  const lastDose = doses.at(-1);
  const lastMissed = missed.at(-1);
  if (!lastDose && !lastMissed) {
    return {
      cycle: 1,
      dueOn: addDays(enrollmentDate, schedule.firstDoseFromDay),
      windowFrom: addDays(enrollmentDate, schedule.firstDoseFromDay),
      windowTo: addDays(enrollmentDate, schedule.firstDoseToDay),
    };
  }
  // The schedule runs from the last dose given; a missed cycle keeps the clock of its due date.
  const anchor =
    lastDose && (!lastMissed || lastDose.cycle > lastMissed.cycle)
      ? { cycle: lastDose.cycle, date: lastDose.administeredOn }
      : { cycle: (lastMissed as MissedDoseView).cycle, date: (lastMissed as MissedDoseView).dueOn };
  const dueOn = addDays(anchor.date, schedule.intervalDays);
  return { cycle: anchor.cycle + 1, dueOn, windowFrom: addDays(dueOn, -schedule.windowDays), windowTo: addDays(dueOn, schedule.windowDays) };
};

const toInput = (entry: CasebookEntry): TumorAssessmentInput => ({
  assessmentDate: str(entry.current.assessmentDate),
  modality: entry.current.modality as TumorAssessmentInput['modality'],
  baseline: entry.current.baseline === true,
  targetLesions: ((entry.current.targetLesions as TargetLesionInput[] | undefined) ?? []).map((l) => ({ ...l })),
  nonTargetStatus: entry.current.nonTargetStatus as TumorAssessmentInput['nonTargetStatus'],
  newLesions: entry.current.newLesions === true,
});

/**
 * RECIST 1.1 responses re-derived from the current lesion measurements of every live assessment, so a
 * corrected diameter or a voided scan changes the responses after it (the nadir moves). If the set
 * cannot be evaluated (e.g. no baseline yet), the responses stamped at entry are shown with the reason.
 */
const deriveAssessments = (
  entries: readonly CasebookEntry[],
  enrollmentDate: IsoDate | null,
): { assessments: readonly AssessmentView[]; best: SubjectCasebook['bestOverallResponse']; issue: string | null } => {
  const sorted = [...entries].sort(byDate((e) => str(e.current.assessmentDate)));
  let evaluations: AssessmentEvaluation[] | null = null;
  let issue: string | null = null;
  if (sorted.length > 0) {
    try {
      evaluations = evaluateAssessments(sorted.map(toInput));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      issue = error.code;
    }
  }
  const byAssessmentDate = new Map((evaluations ?? []).map((ev) => [ev.assessmentDate, ev]));
  const assessments = sorted.map((e): AssessmentView => {
    const input = toInput(e);
    const ev = byAssessmentDate.get(input.assessmentDate);
    const recorded = e.current;
    return {
      ...provenance(e),
      assessmentDate: input.assessmentDate,
      modality: str(recorded.modality),
      baseline: input.baseline,
      targetLesions: input.targetLesions,
      nonTargetStatus: str(recorded.nonTargetStatus),
      newLesions: input.newLesions,
      sumOfDiametersMm: ev ? ev.sod : ((recorded.sumOfDiametersMm as number | null | undefined) ?? null),
      nadirBeforeMm: ev ? ev.nadirBefore : null,
      percentFromBaseline: ev ? ev.percentFromBaseline : null,
      percentFromNadir: ev ? ev.percentFromNadir : null,
      targetResponse: ev ? ev.targetResponse : ((recorded.targetResponse as string | null | undefined) ?? null),
      overallResponse: ev ? ev.overallResponse : ((recorded.overallResponse as string | null | undefined) ?? null),
      responseSource: ev ? 'derived' : 'recorded',
    };
  });
  const best = evaluations ? bestOverallResponse(evaluations, enrollmentDate ? { startDate: enrollmentDate } : {}) : null;
  return { assessments, best, issue };
};
