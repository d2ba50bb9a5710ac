import { addDays, compareDates, daysBetween, invalid, isIsoDate, type IsoDate, type ProtocolDocument } from '@trial-ledger/domain';
import {
  clinicalReadModels,
  foldProjection,
  getCasebook,
  type AssessmentView,
  type ClinicalState,
  type ProjectedEvent,
  type SubjectCasebook,
} from '@trial-ledger/projections';
import { PfsCnsr, type PfsOptions, type PfsSource, type SubjectPfs } from './pfs.types';

export const EVNTDESC = {
  progression: 'PROGRESSION (RECIST PD)',
  clinicalProgression: 'CLINICAL PROGRESSION',
  death: 'DEATH',
  noBaseline: 'NO BASELINE TUMOR ASSESSMENT',
  newAnticancerTherapy: 'NEW ANTICANCER THERAPY BEFORE PROGRESSION',
  eventAfterMissedAssessments: 'PROGRESSION OR DEATH AFTER TWO OR MORE MISSED ASSESSMENTS',
  noProgression: 'ALIVE WITHOUT DOCUMENTED PROGRESSION',
  withdrawn: 'WITHDRAWN OR LOST TO FOLLOW-UP WITHOUT DOCUMENTED PROGRESSION',
} as const;

export const CNSDTDSC = {
  startDate: 'START DATE (NO ADEQUATE POST-BASELINE ASSESSMENT)',
  lastAdequate: 'LAST ADEQUATE TUMOR ASSESSMENT',
  lastAdequateBeforeTherapy: 'LAST ADEQUATE TUMOR ASSESSMENT ON OR BEFORE NEW ANTICANCER THERAPY',
  lastAdequateBeforeEvent: 'LAST ADEQUATE TUMOR ASSESSMENT BEFORE PROGRESSION OR DEATH',
} as const;

/** Days after the last adequate assessment beyond which an event follows ≥ N missed assessments: N × 84 + 7 = 175. */
export const missedAssessmentGapDays = (protocol: ProtocolDocument): number =>
  protocol.endpoint.missedAssessmentsForCensoring * protocol.assessments.intervalDays + protocol.assessments.windowDays;

interface Candidate {
  readonly date: IsoDate;
  readonly description: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly domain: PfsSource['domain'];
  readonly variable: PfsSource['variable'];
  /** Tie-break on one date: documented radiological progression before clinical, before death. */
  readonly rank: number;
}

/** What a row rests on besides ADT's source and the baseline (endpoint provenance, see `pfsRowBasis`). */
type RowBasis = Partial<Pick<SubjectPfs, 'disregardedEvent' | 'censoringFact' | 'gapMeasuredFrom' | 'nadirFrom'>>;

const isAdequate = (a: AssessmentView): boolean => a.overallResponse !== null && a.overallResponse !== 'NE';

/**
 * One subject's PFS from its casebook (corrections applied, voided entries gone, RECIST re-derived)
 * and the protocol document, per SPEC §3 after FDA's 2018 guidance. Returns null for a subject who
 * was never enrolled, or enrolled after the data cutoff: the PFS population is every subject enrolled
 * by the cutoff (intention to treat).
 */
export const deriveSubjectPfs = (casebook: SubjectCasebook, protocol: ProtocolDocument, options: PfsOptions = {}): SubjectPfs | null => {
  const cutoff = options.cutoff ?? null;
  if (cutoff !== null && !isIsoDate(cutoff)) invalid('PFS.INVALID_CUTOFF', `cutoff must be a date YYYY-MM-DD (got ${String(cutoff)})`, { cutoff });
  if (casebook.enrollment === null) return null;
  const startDate = casebook.enrollment.enrollmentDate;
  // An enrollment dated after the data cutoff is disregarded like every other fact after it: at that data
  // cut the subject was not enrolled, so is not in the population (not a censored row with ADT past the cutoff).
  if (cutoff !== null && compareDates(startDate, cutoff) > 0) return null;
  const seqOf = (eventId: string): number => casebook.entries.find((e) => e.eventId === eventId)?.streamVersion ?? 0;

  // First, disregard everything dated after the analysis horizon (study day = date − start + 1) or the cutoff.
  const horizonEnd = addDays(startDate, protocol.endpoint.horizonDays - 1);
  const lastDate = cutoff !== null && compareDates(cutoff, horizonEnd) < 0 ? cutoff : horizonEnd;
  const inWindow = (date: IsoDate): boolean => compareDates(date, lastDate) <= 0;

  const assessments = casebook.assessments.filter((a) => inWindow(a.assessmentDate));
  // Post-baseline: every assessment other than the baseline one (a scan before the start date is none).
  const postBaseline = assessments.filter((a) => !a.baseline && compareDates(a.assessmentDate, startDate) >= 0);
  const adequate = postBaseline.filter(isAdequate);
  const baselineAssessment = assessments.find((a) => a.baseline);
  const lastAdequate = (accept: (date: IsoDate) => boolean): AssessmentView | undefined =>
    adequate.filter((a) => accept(a.assessmentDate)).at(-1);

  const row = (
    adt: IsoDate,
    cnsr: SubjectPfs['cnsr'],
    rule: SubjectPfs['rule'],
    evntdesc: string,
    cnsdtdsc: string | null,
    source: Omit<PfsSource, 'sequence'>,
    restsOn: RowBasis = {},
  ): SubjectPfs => ({
    studyId: casebook.studyId,
    subjectId: casebook.subjectId,
    subjectNumber: casebook.enrollment?.subjectNumber ?? null,
    startDate,
    adt,
    aval: daysBetween(startDate, adt) + 1,
    cnsr,
    rule,
    evntdesc,
    cnsdtdsc,
    source: { ...source, sequence: seqOf(source.eventId) },
    disregardedEvent: restsOn.disregardedEvent ?? null,
    censoringFact: restsOn.censoringFact ?? null,
    gapMeasuredFrom: restsOn.gapMeasuredFrom ?? null,
    nadirFrom: restsOn.nadirFrom ?? null,
    baseline: baselineAssessment ? { date: baselineAssessment.assessmentDate, eventId: baselineAssessment.eventId } : null,
  });
  const enrollmentEventId = casebook.enrollment.eventId;
  const startSource = { eventId: enrollmentEventId, eventType: 'SubjectEnrolled', domain: 'DS' as const, variable: 'DSSTDTC' as const };
  /** Censored at an assessment, or at the start date when there is none. */
  const censorAt = (assessment: AssessmentView | undefined, cnsr: SubjectPfs['cnsr'], rule: SubjectPfs['rule'], evntdesc: string, dateDesc: string, restsOn: RowBasis = {}) =>
    assessment
      ? row(assessment.assessmentDate, cnsr, rule, evntdesc, dateDesc, { eventId: assessment.eventId, eventType: 'TumorAssessmentRecorded', domain: 'RS', variable: 'RSDTC' }, restsOn)
      : row(startDate, cnsr, rule, evntdesc, CNSDTDSC.startDate, startSource, restsOn);

  // Rule 0: no baseline assessment.
  if (baselineAssessment === undefined) {
    return row(startDate, PfsCnsr.noBaseline, 'no-baseline', EVNTDESC.noBaseline, CNSDTDSC.startDate, startSource);
  }

  const candidates: Candidate[] = [];
  const firstPd = postBaseline.find((a) => a.overallResponse === 'PD');
  if (firstPd) {
    candidates.push({ date: firstPd.assessmentDate, description: EVNTDESC.progression, eventId: firstPd.eventId, eventType: 'TumorAssessmentRecorded', domain: 'RS', variable: 'RSDTC', rank: 0 });
  }
  for (const p of casebook.clinicalProgressions.filter((c) => inWindow(c.progressionDate))) {
    candidates.push({ date: p.progressionDate, description: EVNTDESC.clinicalProgression, eventId: p.eventId, eventType: 'ClinicalProgressionRecorded', domain: 'CE', variable: 'CESTDTC', rank: 1 });
  }
  if (casebook.death && inWindow(casebook.death.deathDate)) {
    candidates.push({ date: casebook.death.deathDate, description: EVNTDESC.death, eventId: casebook.death.eventId, eventType: 'SubjectDied', domain: 'DS', variable: 'DSSTDTC', rank: 2 });
  }
  const earliest = [...candidates].sort((a, b) => compareDates(a.date, b.date) || a.rank - b.rank)[0];
  const disregarded = earliest ? { date: earliest.date, description: earliest.description, eventId: earliest.eventId } : null;

  // Rule 1: a new anticancer therapy started strictly before the earliest progression or death.
  const therapy = casebook.newAnticancerTherapies
    .filter((t) => inWindow(t.startDate))
    .find((t) => earliest === undefined || compareDates(t.startDate, earliest.date) < 0);
  if (therapy) {
    return censorAt(
      lastAdequate((d) => compareDates(d, therapy.startDate) <= 0),
      PfsCnsr.newAnticancerTherapy,
      'new-anticancer-therapy',
      EVNTDESC.newAnticancerTherapy,
      CNSDTDSC.lastAdequateBeforeTherapy,
      { disregardedEvent: disregarded, censoringFact: { date: therapy.startDate, eventId: therapy.eventId, eventType: 'NewAnticancerTherapyStarted' } },
    );
  }

  // Rule 2: the earliest progression or death is an event, unless it follows two or more missed assessments.
  if (earliest) {
    const before = lastAdequate((d) => compareDates(d, earliest.date) < 0);
    const gap = daysBetween(before?.assessmentDate ?? startDate, earliest.date);
    if (gap > missedAssessmentGapDays(protocol)) {
      return censorAt(before, PfsCnsr.eventAfterMissedAssessments, 'event-after-missed-assessments', EVNTDESC.eventAfterMissedAssessments, CNSDTDSC.lastAdequateBeforeEvent, { disregardedEvent: disregarded });
    }
    const { eventId, eventType, domain, variable } = earliest;
    const gapMeasuredFrom = before ? { date: before.assessmentDate, eventId: before.eventId } : null;
    // A target-lesion PD is judged against the nadir: the (earliest) assessment whose sum set it.
    const nadir = earliest.eventId === firstPd?.eventId && firstPd.targetResponse === 'PD' ? firstPd.nadirBeforeMm : null;
    const nadirSetter = nadir === null ? undefined : [baselineAssessment, ...postBaseline].find((a) => compareDates(a.assessmentDate, earliest.date) < 0 && a.sumOfDiametersMm === nadir);
    const nadirFrom = nadirSetter ? { date: nadirSetter.assessmentDate, eventId: nadirSetter.eventId } : null;
    return row(earliest.date, PfsCnsr.event, 'event', earliest.description, null, { eventId, eventType, domain, variable }, { gapMeasuredFrom, nadirFrom });
  }

  // Rule 3: alive without documented progression (withdrawn or lost to follow-up named as such).
  const withdrawal = casebook.withdrawal !== null && inWindow(casebook.withdrawal.withdrawalDate) ? casebook.withdrawal : null;
  return withdrawal
    ? censorAt(lastAdequate(() => true), PfsCnsr.withdrawn, 'withdrawn', EVNTDESC.withdrawn, CNSDTDSC.lastAdequate, {
        censoringFact: { date: withdrawal.withdrawalDate, eventId: withdrawal.eventId, eventType: 'SubjectWithdrawn' },
      })
    : censorAt(lastAdequate(() => true), PfsCnsr.noProgression, 'no-progression', EVNTDESC.noProgression, CNSDTDSC.lastAdequate);
};

/**
 * One subject's PFS straight from events: the study's protocol events and the subject's stream (or the
 * subject's stream onto `from`, the study's context already folded), folded by the casebook projection
 * (so corrections and voids count exactly as in every other view).
 */
export const deriveSubjectPfsFromEvents = (
  events: readonly ProjectedEvent[],
  studyId: string,
  subjectId: string,
  protocol: ProtocolDocument,
  options: PfsOptions = {},
  from: ClinicalState = {},
): SubjectPfs | null => {
  const casebook = getCasebook(foldProjection(clinicalReadModels, events, from) as ClinicalState, studyId, subjectId);
  return casebook === null ? null : deriveSubjectPfs(casebook, protocol, options);
};
