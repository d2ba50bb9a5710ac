import {
  DomainError,
  assertNever,
  bestOverallResponse,
  compareDates,
  currentSubjectEntries,
  evaluateAssessments,
  notEvaluableAssessment,
  RecistErrorCode,
  ruleLookup,
  withDosingRule,
  scheduledWindow,
  subjectSignatures,
  type AssessmentEvaluation,
  type DosingRuleHistory,
  type EntryEvent,
  type IsoDate,
  type ProtocolDocument,
  type RuleOf,
  type SubjectEntry,
  type SubjectState,
  type TumorAssessmentInput,
} from '@trial-ledger/domain';
import type { SubjectCasebookState } from './subject-casebook.projection';
import type {
  AdverseEventView,
  AssessmentView,
  CasebookEntry,
  CorrectionRecord,
  DeviationView,
  DoseView,
  DosingSchedule,
  EntryProvenance,
  NextDoseDue,
  SignatureView,
  SubjectCasebook,
  VoidRecord,
} from './subject-casebook.types';

/** The part of the protocol document the casebook shows (the dosing schedule for the next dose due). */
export const scheduleOf = (protocol: ProtocolDocument): DosingSchedule => ({
  protocolVersion: protocol.version,
  intervalDays: protocol.treatment.intervalDays,
  windowDays: protocol.treatment.windowDays,
  firstDoseFromDay: protocol.treatment.firstDose.fromDay,
  firstDoseToDay: protocol.treatment.firstDose.toDay,
});

/**
 * What a subject's views need of its study: the protocol in force (the next dose due, the schedule
 * shown) and every protocol version's dosing schedule (the window of each dose given, by the version
 * it was recorded under). The study context of the read models is one.
 */
export interface StudySchedules {
  readonly protocol: ProtocolDocument | null;
  readonly dosingRules: DosingRuleHistory;
}

/** The dosing schedule by protocol version, or null with no protocol (a study context saved without its history has the one in force). */
export const dosingRulesOf = (study: StudySchedules | null): RuleOf | null =>
  study?.protocol ? ruleLookup(study.dosingRules?.length ? study.dosingRules : withDosingRule([], study.protocol)) : null;

/** An entry narrowed to its current event type, so its data is typed. */
type EntryOf<T extends EntryEvent['type']> = SubjectEntry & { readonly current: Extract<EntryEvent, { type: T }> };

const ofType = <T extends EntryEvent['type']>(entries: readonly SubjectEntry[], type: T): Array<EntryOf<T>> =>
  entries.filter((e): e is EntryOf<T> => e.current.type === type);

const provenance = (entry: SubjectEntry): EntryProvenance => ({
  eventId: entry.eventId,
  recordedAt: entry.recordedAt,
  recordedBy: entry.actor,
  corrected: entry.corrections.length > 0,
});

/** An adverse event's current outcome: its latest live outcome entry (recording order), corrections folded in. */
const currentOutcome = (live: readonly SubjectEntry[], adverseEventId: string): Pick<AdverseEventView, 'outcome' | 'endDate' | 'outcomeRecord'> => {
  const latest = ofType(live, 'AdverseEventOutcomeRecorded')
    .filter((o) => o.current.data.adverseEventId === adverseEventId)
    .at(-1);
  return latest
    ? { outcome: latest.current.data.outcome, endDate: latest.current.data.endDate ?? null, outcomeRecord: provenance(latest) }
    : { outcome: null, endDate: null, outcomeRecord: null };
};

const byDate = <T>(date: (item: T) => IsoDate) => (a: T, b: T): number => compareDates(date(a), date(b));

const casebookEntry = (e: SubjectEntry): CasebookEntry => ({
  eventId: e.eventId,
  type: e.current.type,
  streamVersion: e.streamVersion,
  globalPosition: e.globalPosition,
  recordedAt: e.recordedAt,
  recordedBy: e.actor,
  recorded: e.recorded,
  current: e.current,
  correctionIds: e.corrections.map((c) => c.eventId),
  voidedBy: e.voided?.eventId ?? null,
});

const auditOf = (entries: readonly SubjectEntry[]): { corrections: CorrectionRecord[]; voids: VoidRecord[] } => {
  const corrections: CorrectionRecord[] = [];
  const voids: VoidRecord[] = [];
  for (const e of entries) {
    for (const c of e.corrections) {
      corrections.push({
        eventId: c.eventId,
        globalPosition: c.globalPosition,
        targetEventId: e.eventId,
        targetType: e.recorded.type,
        before: c.before,
        after: c.after,
        reason: c.reason,
        recordedAt: c.recordedAt,
        recordedBy: c.actor,
      });
    }
    if (e.voided) {
      voids.push({
        eventId: e.voided.eventId,
        globalPosition: e.voided.globalPosition,
        targetEventId: e.eventId,
        targetType: e.recorded.type,
        reason: e.voided.reason,
        recordedAt: e.voided.recordedAt,
        recordedBy: e.voided.actor,
        voidedData: e.current.data,
      });
    }
  }
  return { corrections: corrections.sort((a, b) => a.globalPosition - b.globalPosition), voids: voids.sort((a, b) => a.globalPosition - b.globalPosition) };
};

const signatureViews = (state: SubjectState): SignatureView[] => {
  const recorded = new Map(state.signatures.map((s) => [s.eventId, s]));
  return subjectSignatures(state).map((s) => {
    const event = recorded.get(s.signatureEventId)!;
    return {
      eventId: s.signatureEventId,
      globalPosition: event.globalPosition,
      signedBy: event.actor,
      signedAt: s.signedAt,
      meaning: s.meaning,
      scope: s.scope,
      targetType: s.scope === 'casebook' ? null : ((event.data as { targetType?: string }).targetType ?? null),
      signedThroughVersion: s.signedThroughVersion,
      signedHash: s.signedHash,
      status: s.status,
      supersededBy: s.supersededBy,
    };
  });
};

/**
 * RECIST 1.1 figures of every live assessment in date order, by the domain's `evaluateAssessments`,
 * with the nadir and percentages it reports; the best overall response from them. If the set cannot be
 * evaluated, the figures the domain's fold stamped on each entry are shown with the reason.
 */
const assessmentViews = (
  entries: ReadonlyArray<EntryOf<'TumorAssessmentRecorded'>>,
  enrollmentDate: IsoDate | null,
): { assessments: AssessmentView[]; best: SubjectCasebook['bestOverallResponse']; issue: string | null } => {
  const sorted = [...entries].sort(byDate((e) => e.current.data.assessmentDate));
  const inputs = sorted.map((e): TumorAssessmentInput => {
    const { sumOfDiametersMm: _sod, targetResponse: _target, overallResponse: _overall, ...input } = e.current.data;
    return input;
  });
  let evaluations: AssessmentEvaluation[] | null = null;
  let issue: string | null = null;
  // A scan dated on or before the baseline — recorded before a baseline entered late, or left there by a
  // void — cannot be judged against it: it alone is not evaluable (NE), and every scan dated after the
  // baseline is still judged in date order. It used to make the whole set unevaluable, so the scans after
  // the baseline kept the NE they were recorded with and their PD was lost to PFS.
  const baselines = inputs.filter((input) => input.baseline);
  const judged = baselines.length === 1 ? inputs.filter((input) => input.baseline || compareDates(input.assessmentDate, baselines[0].assessmentDate) > 0) : inputs;
  if (judged.length < inputs.length) issue = RecistErrorCode.assessmentBeforeBaseline;
  if (inputs.length > 0) {
    try {
      const derived = evaluateAssessments(judged);
      evaluations = inputs.map((input) => {
        const at = judged.indexOf(input);
        return at >= 0 ? derived[at] : notEvaluableAssessment(input.assessmentDate);
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      issue = error.code;
    }
  }
  const assessments = sorted.map((e, i): AssessmentView => {
    const data = e.current.data;
    const ev = evaluations?.[i] ?? null;
    return {
      ...provenance(e),
      assessmentDate: data.assessmentDate,
      modality: data.modality,
      baseline: data.baseline,
      targetLesions: data.targetLesions,
      nonTargetStatus: data.nonTargetStatus,
      newLesions: data.newLesions,
      sumOfDiametersMm: ev ? ev.sod : data.sumOfDiametersMm,
      nadirBeforeMm: ev ? ev.nadirBefore : null,
      percentFromBaseline: ev ? ev.percentFromBaseline : null,
      percentFromNadir: ev ? ev.percentFromNadir : null,
      targetResponse: ev ? ev.targetResponse : data.targetResponse,
      overallResponse: ev ? ev.overallResponse : data.overallResponse,
      responseSource: ev ? 'derived' : 'recorded',
    };
  });
  const best = evaluations ? bestOverallResponse(evaluations, enrollmentDate ? { startDate: enrollmentDate } : {}) : null;
  return { assessments, best, issue };
};

/**
 * The casebook's RECIST issue in words, for the viewer and `replay`: when only the scans dated on or
 * before the baseline are not evaluable (NE, RECIST 1.1 judges a scan against a baseline taken before
 * it) it names those scans and says the rest are derived; otherwise the whole set kept the responses
 * recorded at entry, and the stable code says why. Null without an issue.
 */
export const recistIssueInWords = (casebook: Pick<SubjectCasebook, 'assessments' | 'recistIssue'>): string | null => {
  const { recistIssue, assessments } = casebook;
  if (!recistIssue) return null;
  const baseline = assessments.filter((a) => a.baseline);
  if (recistIssue === RecistErrorCode.assessmentBeforeBaseline && baseline.length === 1 && assessments.every((a) => a.responseSource === 'derived')) {
    const baselineDate = baseline[0].assessmentDate;
    const dates = assessments.filter((a) => !a.baseline && compareDates(a.assessmentDate, baselineDate) <= 0).map((a) => a.assessmentDate);
    const scans = dates.length === 1 ? `the scan of ${dates[0]} is` : `the scans of ${dates.join(', ')} are`;
    return `Not evaluable (NE): ${scans} dated on or before the baseline of ${baselineDate}, so RECIST 1.1 cannot judge ${dates.length === 1 ? 'it' : 'them'} against it (${recistIssue}); the scans after the baseline are derived.`;
  }
  return `RECIST could not be re-derived, the responses recorded at entry are shown (${recistIssue}).`;
};

/** The RECIST figures the casebook shows for one scan (SOD, target and overall response). */
export interface RecistFigures {
  readonly sumOfDiametersMm: number | null;
  readonly targetResponse: AssessmentView['targetResponse'];
  readonly overallResponse: AssessmentView['overallResponse'];
}

/** The RECIST figures of every live scan of a subject, by event id, exactly as the casebook derives them. */
export const currentRecistFigures = (state: SubjectState): Map<string, RecistFigures> =>
  new Map(
    assessmentViews(ofType(currentSubjectEntries(state), 'TumorAssessmentRecorded'), null).assessments.map((a) => [
      a.eventId,
      { sumOfDiametersMm: a.sumOfDiametersMm, targetResponse: a.targetResponse, overallResponse: a.overallResponse },
    ]),
  );

/** A dose given inside its protocol window (± windowDays around the due date) counts as compliant. */
export const isWithinWindow = (administeredOn: IsoDate, window: { readonly from: IsoDate; readonly to: IsoDate }): boolean =>
  compareDates(administeredOn, window.from) >= 0 && compareDates(administeredOn, window.to) <= 0;

/** The doses given, by cycle, each with the window that follows from the current (corrected) dates. */
export const doseViewsOf = (live: readonly SubjectEntry[]): DoseView[] =>
  ofType(live, 'DoseAdministered')
    .map((e) => {
      const d = e.current.data;
      return {
        ...provenance(e),
        cycle: d.cycle,
        administeredOn: d.administeredOn,
        doseMg: d.doseMg,
        route: d.route,
        lotNumber: d.lotNumber,
        injectionSite: d.injectionSite,
        window: d.window,
        withinWindow: isWithinWindow(d.administeredOn, d.window),
      };
    })
    .sort((a, b) => a.cycle - b.cycle || compareDates(a.administeredOn, b.administeredOn));

/** The next cycle the protocol expects, by the domain's schedule (`scheduledWindow`); null once off treatment. */
export const nextDoseDue = (
  state: SubjectState,
  protocol: ProtocolDocument | null,
  doses: ReadonlyArray<{ readonly cycle: number; readonly administeredOn: IsoDate }>,
): NextDoseDue | null => {
  const { enrollment, discontinuation, missedDoses } = state.facts;
  if (state.status !== 'enrolled' || discontinuation || !enrollment || !protocol) return null;
  const cycle = Math.max(0, ...doses.map((d) => d.cycle), ...missedDoses.map((m) => m.cycle)) + 1;
  const window = scheduledWindow(protocol.treatment, enrollment.enrollmentDate, doses, cycle);
  return { cycle, dueOn: window.dueOn, windowFrom: window.from, windowTo: window.to };
};

const deviationView = (e: EntryOf<'ProtocolDeviationDetected'> | EntryOf<'ProtocolDeviationRecorded'>): DeviationView => {
  const base = { ...provenance(e), deviationDate: e.current.data.deviationDate, category: e.current.data.category, description: e.current.data.description, severity: e.current.data.severity };
  switch (e.current.type) {
    case 'ProtocolDeviationDetected':
      return { ...base, source: 'detected', cycle: e.current.data.cycle ?? null, relatedEventId: e.current.data.relatedEventId ?? null };
    case 'ProtocolDeviationRecorded':
      return { ...base, source: 'recorded', cycle: null, relatedEventId: null };
    default:
      return assertNever(e.current, 'deviation');
  }
};

/**
 * The subject casebook as a coordinator, monitor or regulator reads it (the eCRF view): a typed view
 * of the domain's subject state. Corrected values are shown, voided entries are left out of every
 * clinical list but kept in `entries`, `voids` and the audit; with the protocol at hand dose windows
 * follow the corrected dates, each under the schedule of the protocol version it was recorded under.
 */
export const casebookView = (casebook: SubjectCasebookState, study: StudySchedules | null): SubjectCasebook => {
  const state = casebook.subject;
  const { facts } = state;
  const protocol = study?.protocol ?? null;
  const live = currentSubjectEntries(state, dosingRulesOf(study) ?? undefined);
  const doses = doseViewsOf(live);
  const enrollment = facts.enrollment ? { subjectNumber: facts.enrollment.subjectNumber, enrollmentDate: facts.enrollment.enrollmentDate, eventId: facts.enrollment.eventId } : null;
  const recist = assessmentViews(ofType(live, 'TumorAssessmentRecorded'), enrollment?.enrollmentDate ?? null);
  const screeningEntry = ofType(live, 'SubjectScreened').at(-1);
  const { eligibility } = facts;
  return {
    studyId: casebook.studyId,
    subjectId: casebook.subjectId,
    streamId: casebook.streamId,
    lastPosition: casebook.lastPosition,
    streamVersion: state.version,
    lastRecordedAt: casebook.lastRecordedAt,
    schedule: protocol ? scheduleOf(protocol) : null,
    status: state.status,
    screening:
      facts.screening && screeningEntry
        ? {
            screeningDate: facts.screening.screeningDate,
            consentDate: facts.screening.consentDate,
            sex: facts.screening.sex,
            birthYear: facts.screening.birthYear,
            eventId: screeningEntry.eventId,
          }
        : null,
    eligibility: eligibility
      ? {
          confirmed: eligibility.failedCriteria.length === 0,
          assessmentDate: eligibility.assessmentDate,
          failedCriteria: eligibility.failedCriteria,
          inputs: {
            assessmentDate: eligibility.assessmentDate,
            age: eligibility.age,
            primarySite: eligibility.primarySite,
            whoGrade: eligibility.whoGrade,
            ki67Percent: eligibility.ki67Percent,
            diseaseStatus: eligibility.diseaseStatus,
            measurableDisease: eligibility.measurableDisease,
            priorSystemicTherapy: eligibility.priorSystemicTherapy,
            ecog: eligibility.ecog,
          },
          eventId: eligibility.eventId,
        }
      : null,
    enrollment,
    doses,
    missedDoses: ofType(live, 'DoseMissed')
      .map((e) => ({ ...provenance(e), cycle: e.current.data.cycle, dueOn: e.current.data.dueOn, reason: e.current.data.reason }))
      .sort((a, b) => a.cycle - b.cycle),
    nextDose: nextDoseDue(state, protocol, doses),
    deviations: [...ofType(live, 'ProtocolDeviationDetected'), ...ofType(live, 'ProtocolDeviationRecorded')]
      .sort((a, b) => a.globalPosition - b.globalPosition)
      .map(deviationView)
      .sort(byDate((d) => d.deviationDate)),
    assessments: recist.assessments,
    bestOverallResponse: recist.best,
    recistIssue: recist.issue,
    clinicalProgressions: ofType(live, 'ClinicalProgressionRecorded')
      .map((e) => ({ ...provenance(e), progressionDate: e.current.data.progressionDate, basis: e.current.data.basis }))
      .sort(byDate((p) => p.progressionDate)),
    newAnticancerTherapies: ofType(live, 'NewAnticancerTherapyStarted')
      .map((e) => ({ ...provenance(e), startDate: e.current.data.startDate, therapy: e.current.data.therapy }))
      .sort(byDate((t) => t.startDate)),
    adverseEvents: ofType(live, 'AdverseEventReported')
      .map((e) => ({ ...provenance(e), ...e.current.data, ...currentOutcome(live, e.eventId) }))
      .sort(byDate((a) => a.onsetDate)),
    treatmentDiscontinuation: facts.discontinuation
      ? { discontinuationDate: facts.discontinuation.date, reason: facts.discontinuation.reason, eventId: facts.discontinuation.eventId }
      : null,
    withdrawal: facts.withdrawal ? { withdrawalDate: facts.withdrawal.date, reason: facts.withdrawal.reason, eventId: facts.withdrawal.eventId } : null,
    death: facts.death ? { deathDate: facts.death.date, cause: facts.death.cause, eventId: facts.death.eventId } : null,
    ...auditOf(state.entries),
    signatures: signatureViews(state),
    entries: state.entries.map(casebookEntry),
  };
};
