import type { RecordTumorAssessmentPayload, TargetLesionInput } from '../../commands/command.types';
import type { ProtocolDeviationDetected, TumorAssessmentRecorded } from '../../events/event.types';
import { invalid, refuse } from '../../shared/domain-error';
import { compareDates, daysBetween, type IsoDate } from '../../shared/iso-date';
import { evaluateFollowUp, lesionSetDifference, notEvaluableAssessment, RecistErrorCode, startRecistTrack, type AssessmentEvaluation, type RecistTrack } from '../recist';
import { flag, MODALITIES, NON_TARGET_STATUSES, oneOf, pastDate, PAYLOAD_FIELDS, requirePayload, type FormatOptions } from '../payload.validate';
import { notAfterDeath, notAfterWithdrawal, notBeforeEnrollment, requireEnrolled, requireScreened } from './guards';
import type { ClinicalDecision } from './decision.types';
import { DETECTED_DEVIATIONS } from './dosing.decision';
import type { EntryEvent, SubjectFacts } from '../subject.state';

type AssessmentData = TumorAssessmentRecorded['data'];

/** The recorded assessment with its RECIST 1.1 figures (SPEC §3) stored alongside the measurements. */
export const withRecistFigures = (input: RecordTumorAssessmentPayload, evaluation: AssessmentEvaluation): AssessmentData => ({
  ...input,
  sumOfDiametersMm: evaluation.sod,
  targetResponse: evaluation.targetResponse,
  overallResponse: evaluation.overallResponse,
});

/**
 * RECIST 1.1 §5.1 and the protocol: baseline imaging within `window` days before enrollment. Imaging
 * outside it was still done and is still the subject's baseline: the fact is recorded with a detected
 * deviation (`baseline-out-of-window`) rather than refused. Null when the baseline is in its window.
 */
export const baselineWindowDeviation = (baselineDate: IsoDate, enrollmentDate: IsoDate, window: number, baselineEventId?: string): ProtocolDeviationDetected | null => {
  const days = daysBetween(baselineDate, enrollmentDate);
  if (days >= 0 && days <= window) return null;
  const when = days < 0 ? `${-days} days after enrollment (${enrollmentDate})` : `${days} days before enrollment (${enrollmentDate}), beyond the ${window}-day window`;
  return {
    type: 'ProtocolDeviationDetected',
    data: {
      // The day the protocol was departed from: the enrollment on imaging too old, or the baseline taken after it —
      // the same whether the scan, the enrollment or a correction of either revealed it.
      deviationDate: days < 0 ? baselineDate : enrollmentDate,
      category: DETECTED_DEVIATIONS.baselineOutOfWindow,
      description: `Baseline tumour assessment of ${baselineDate} lies ${when}`,
      severity: 'minor',
      // The entry a site would correct, and the one its system query points at: the baseline scan.
      ...(baselineEventId === undefined ? {} : { relatedEventId: baselineEventId }),
    },
  };
};

/**
 * Evaluates an assessment against the RECIST history: a baseline starts it, a follow-up advances it,
 * and a follow-up with no baseline on record leaves the track unstarted and is not evaluable.
 */
export const evaluateAssessment = (
  track: RecistTrack | null,
  input: RecordTumorAssessmentPayload,
  format: FormatOptions = {},
): { track: RecistTrack | null; evaluation: AssessmentEvaluation } => {
  if (input.baseline) return startRecistTrack(input, format);
  // Without a baseline RECIST 1.1 judges nothing (every response is relative to it): recorded as not evaluable.
  if (!track) return { track: null, evaluation: notEvaluableAssessment(input.assessmentDate) };
  return evaluateFollowUp(track, input, format);
};

/**
 * A baseline entered late (none on record, or the one before voided) under follow-ups dated after it:
 * they are judged against it, so each must report exactly its target lesions, as a follow-up recorded
 * under it must (`RECIST.LESION_SET_MISMATCH`, naming the follow-up). Otherwise no scan after it could be
 * evaluated and a progression they show would be lost to PFS. Follow-ups dated on or before it are not
 * judged against it (not evaluable) and may report anything.
 */
const requireFollowUpsMatch = (facts: SubjectFacts, baseline: RecordTumorAssessmentPayload): void => {
  for (const scan of facts.assessments) {
    if (scan.baseline || scan.targetLesions === undefined || compareDates(scan.assessmentDate, baseline.assessmentDate) <= 0) continue;
    const { missing, unexpected, changed } = lesionSetDifference(baseline.targetLesions, scan.targetLesions);
    if (missing.length > 0 || unexpected.length > 0 || changed.length > 0) {
      refuse(
        RecistErrorCode.lesionSetMismatch,
        `the follow-up of ${scan.assessmentDate} on record reports other target lesions than this baseline (same ids, organ and nodal flag needed): correct or void it first`,
        { followUpEventId: scan.eventId, followUpDate: scan.assessmentDate, missing, unexpected, changed },
      );
    }
  }
};

/** The fields of a target lesion (SPEC appendix A). */
const LESION_FIELDS: readonly string[] = ['lesionId', 'organ', 'diameterMm', 'nodal'];

const lesionsOf = (value: unknown): TargetLesionInput[] => {
  if (!Array.isArray(value)) return invalid('VALIDATION.INVALID_TYPE', 'targetLesions must be a list', { field: 'targetLesions' });
  return value.map((lesion, i) => {
    if (typeof lesion !== 'object' || lesion === null) return invalid('VALIDATION.INVALID_TYPE', `targetLesions[${i}] must be an object`, { field: `targetLesions[${i}]` });
    const l = lesion as Record<string, unknown>;
    // As the API's DTO: a field RECIST does not know would otherwise be dropped unseen (an import line's
    // `longAxisMm`), and a left-out diameter is not a lesion "not measured" (null says that).
    const unknown = Object.keys(l).filter((k) => l[k] !== undefined && !LESION_FIELDS.includes(k));
    if (unknown.length > 0) {
      const fields = unknown.map((k) => `targetLesions[${i}].${k}`);
      invalid('VALIDATION.UNKNOWN_FIELD', `Unknown field(s): ${fields.join(', ')} (a target lesion has ${LESION_FIELDS.join(', ')})`, { fields });
    }
    if (l.diameterMm === undefined) {
      invalid(RecistErrorCode.invalidDiameter, `targetLesions[${i}].diameterMm is required: a number in mm, or null when the lesion was not measured`, { field: `targetLesions[${i}].diameterMm` });
    }
    return { lesionId: l.lesionId, organ: l.organ, diameterMm: l.diameterMm, nodal: l.nodal } as TargetLesionInput;
  });
};

/**
 * `RecordTumorAssessment`. The **baseline** may be recorded before enrollment — screening imaging is
 * what shows measurable disease — as soon as the subject is screened (not after a screen failure); it
 * must then lie within `baselineWindowDays` before the enrollment date, checked here when the subject
 * is already enrolled and by `EnrollSubject` otherwise. A **follow-up** needs an enrolled subject, is
 * dated after the baseline, on or after enrollment and on a date no other assessment has, and reports
 * exactly the baseline target lesions. SOD and the target and overall responses are derived by the
 * RECIST module and stored in the event; a scan entered late (dated before the latest) is judged
 * against the scans dated before it. The figures stored in the later scans' events stay what was
 * derived when they were recorded; the casebook, and PFS from it, re-derive every scan in date order.
 *
 * A follow-up of a subject whose baseline imaging is missing happened all the same: it is recorded
 * (not evaluable, overall response NE) together with a detected major deviation
 * `missing-baseline-assessment`, and the subject's PFS is censored at the start date (SPEC §3 rule 0).
 */
export const decideRecordTumorAssessment: ClinicalDecision<RecordTumorAssessmentPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordTumorAssessment);
  const input: RecordTumorAssessmentPayload = {
    assessmentDate: pastDate(p, 'assessmentDate', ctx.today),
    // Any RECIST 1.1 method is a measurement; one the protocol does not list is a deviation, not a refusal.
    modality: oneOf(p, 'modality', MODALITIES),
    baseline: flag(p, 'baseline'),
    targetLesions: lesionsOf(p.targetLesions),
    nonTargetStatus: oneOf(p, 'nonTargetStatus', NON_TARGET_STATUSES),
    newLesions: flag(p, 'newLesions'),
  };
  const date = input.assessmentDate;
  let baselineDeviation: EntryEvent | null = null;
  if (input.baseline) {
    requireScreened(facts, ctx.subjectId);
    if (facts.eligibility && facts.eligibility.failedCriteria.length > 0) {
      refuse('SUBJECT.NOT_ELIGIBLE', `Subject ${ctx.subjectId} failed screening: no baseline is recorded`, { subjectId: ctx.subjectId });
    }
    if (facts.recist) refuse('ASSESSMENT.BASELINE_EXISTS', `Subject ${ctx.subjectId} already has a baseline assessment (${facts.recist.baselineDate})`, { baselineDate: facts.recist.baselineDate });
    if (facts.enrollment) baselineDeviation = baselineWindowDeviation(date, facts.enrollment.enrollmentDate, ctx.protocol.assessments.baselineWindowDays);
  } else {
    const enrollment = requireEnrolled(facts, ctx.subjectId);
    if (facts.recist && compareDates(date, facts.recist.baselineDate) <= 0) {
      refuse('ASSESSMENT.BEFORE_BASELINE', `A follow-up (${date}) must be dated after the baseline (${facts.recist.baselineDate})`, {
        assessmentDate: date,
        baselineDate: facts.recist.baselineDate,
      });
    }
    notBeforeEnrollment(enrollment, date, 'assessmentDate');
    // Also when no baseline is on record yet (so no RECIST history holds the follow-ups): one date, one time point.
    if (facts.assessments.some((a) => !a.baseline && a.assessmentDate === date)) {
      refuse('RECIST.DUPLICATE_ASSESSMENT_DATE', `a tumour assessment dated ${date} is already on record: one time point, one assessment`, { assessmentDate: date });
    }
  }
  notAfterDeath(facts, date, 'assessmentDate');
  notAfterWithdrawal(facts, date, 'assessmentDate');
  const { evaluation } = evaluateAssessment(facts.recist, input, ctx);
  if (input.baseline) requireFollowUpsMatch(facts, input);
  const recorded: EntryEvent[] = [{ type: 'TumorAssessmentRecorded', data: withRecistFigures(input, evaluation) }];
  if (baselineDeviation) recorded.push(baselineDeviation);
  if (!input.baseline && !facts.recist) recorded.push(missingBaselineDeviation(date));
  const modality = modalityDeviation(input.assessmentDate, input.modality, ctx.protocol.assessments.modalities);
  if (modality) recorded.push(modality);
  return recorded;
};

/**
 * RECIST 1.1 measures on CT or MRI; the protocol may restrict the method (`assessments.modalities`). A scan
 * made with another RECIST method was still made and still measures the lesions: it is recorded and
 * judged, with this minor deviation, rather than refused (which lost whatever progression it showed).
 * Null when the protocol lists the method.
 */
export const modalityDeviation = (date: IsoDate, modality: string, listed: readonly string[], relatedEventId?: string): ProtocolDeviationDetected | null =>
  listed.includes(modality)
    ? null
    : {
        type: 'ProtocolDeviationDetected',
        data: {
          deviationDate: date,
          category: DETECTED_DEVIATIONS.modalityNotInProtocol,
          description: `Tumour assessment of ${date} made by ${modality}, a method the protocol does not list (${listed.join(', ')})`,
          severity: 'minor',
          ...(relatedEventId === undefined ? {} : { relatedEventId }),
        },
      };

/** The deviation of a follow-up dated `date` with no baseline on record (of the follow-up `relatedEventId`, when re-detected). */
export const missingBaselineDeviation = (date: IsoDate, relatedEventId?: string): ProtocolDeviationDetected => ({
  type: 'ProtocolDeviationDetected',
  data: {
    deviationDate: date,
    category: DETECTED_DEVIATIONS.missingBaselineAssessment,
    description: `Follow-up tumour assessment of ${date} recorded without a baseline assessment: RECIST 1.1 response not evaluable`,
    severity: 'major',
    ...(relatedEventId === undefined ? {} : { relatedEventId }),
  },
});
