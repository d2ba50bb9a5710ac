/**
 * The fold over a subject's tumour assessments: the baseline starts the history (baseline SOD, nadir,
 * the lesions followed) and each follow-up is judged against the history before it.
 */
import { invalid, refuse } from '../../shared/domain-error';
import { compareDates, isIsoDate } from '../../shared/iso-date';
import type { FormatOptions } from '../payload.validate';
import { RecistErrorCode } from './recist.errors';
import type { AssessmentEvaluation, RecistTimePoint, RecistTrack, TumorAssessmentInput } from './recist.types';
import { fromHundredths, measuredSum, percentChange } from './sum-of-diameters';
import { overallResponse, targetResponseInHundredths } from './time-point-response';
import { validateBaseline, validateFollowUp } from './tumor-assessment.validate';

/** Starts the RECIST history of a subject from a validated baseline. */
export const startRecistTrack = (baseline: TumorAssessmentInput, format: FormatOptions = {}): { track: RecistTrack; evaluation: AssessmentEvaluation } => {
  validateBaseline(baseline, format);
  const sod = measuredSum(baseline.targetLesions).hundredths;
  return {
    track: {
      baselineDate: baseline.assessmentDate,
      lesions: baseline.targetLesions.map(({ lesionId, organ, nodal }) => ({ lesionId, organ, nodal })),
      baselineSodHundredths: sod,
      nadirSodHundredths: sod,
      lastAssessmentDate: baseline.assessmentDate,
      lastEvaluableResponse: null,
      followUps: [],
    },
    evaluation: {
      assessmentDate: baseline.assessmentDate,
      baseline: true,
      sod: fromHundredths(sod),
      nadirBefore: null,
      percentFromBaseline: 0,
      percentFromNadir: null,
      targetResponse: null,
      overallResponse: null,
    },
  };
};

/**
 * One time point judged against the history before it: the advanced history and the evaluation. The
 * nadir only moves on a fully measured SOD; an NE assessment leaves it where it was.
 */
const stepFollowUp = (track: RecistTrack, point: RecistTimePoint): { track: RecistTrack; evaluation: AssessmentEvaluation } => {
  const { hundredths, complete } = measuredSum(point.targetLesions);
  // `?? null`: a track folded before the field existed reads as no CR yet.
  const afterCompleteResponse = (track.lastEvaluableResponse ?? null) === 'CR';
  const target = targetResponseInHundredths(point.targetLesions, track.baselineSodHundredths, track.nadirSodHundredths, afterCompleteResponse);
  const overall = overallResponse({ target, nonTargetStatus: point.nonTargetStatus, newLesions: point.newLesions });
  return {
    track: {
      ...track,
      nadirSodHundredths: complete ? Math.min(track.nadirSodHundredths, hundredths) : track.nadirSodHundredths,
      lastAssessmentDate: point.assessmentDate,
      lastEvaluableResponse: overall === 'NE' ? (track.lastEvaluableResponse ?? null) : overall,
      followUps: [...(track.followUps ?? []), point],
    },
    evaluation: {
      assessmentDate: point.assessmentDate,
      baseline: false,
      sod: complete ? fromHundredths(hundredths) : null,
      nadirBefore: fromHundredths(track.nadirSodHundredths),
      percentFromBaseline: complete ? percentChange(hundredths, track.baselineSodHundredths) : null,
      percentFromNadir: complete ? percentChange(hundredths, track.nadirSodHundredths) : null,
      targetResponse: target,
      overallResponse: overall,
    },
  };
};

/**
 * Evaluates one follow-up against the history and returns the advanced history. A scan entered late —
 * dated before the latest one, as when a forgotten scan is keyed in after the next — happened all the
 * same: it is judged against the scans dated before it (its nadir, the CR before it), and the history
 * is re-run in date order, so every later judgement sees it. Two scans on one date are one time point
 * and are refused (`RECIST.DUPLICATE_ASSESSMENT_DATE`), as is a follow-up not after the baseline.
 */
export const evaluateFollowUp = (
  track: RecistTrack,
  input: TumorAssessmentInput,
  format: FormatOptions = {},
): { track: RecistTrack; evaluation: AssessmentEvaluation } => {
  validateFollowUp(track, input, format);
  if (compareDates(input.assessmentDate, track.baselineDate) <= 0) {
    refuse(RecistErrorCode.assessmentBeforeBaseline, `a follow-up must be dated after the baseline (${track.baselineDate})`, {
      assessmentDate: input.assessmentDate,
      baselineDate: track.baselineDate,
    });
  }
  const followUps = track.followUps ?? [];
  if (input.assessmentDate === track.lastAssessmentDate || followUps.some((f) => f.assessmentDate === input.assessmentDate)) {
    refuse(RecistErrorCode.duplicateAssessmentDate, `a tumour assessment dated ${input.assessmentDate} is already on record: one time point, one assessment`, {
      assessmentDate: input.assessmentDate,
    });
  }
  const point: RecistTimePoint = {
    assessmentDate: input.assessmentDate,
    targetLesions: input.targetLesions,
    nonTargetStatus: input.nonTargetStatus,
    newLesions: input.newLesions,
  };
  if (compareDates(input.assessmentDate, track.lastAssessmentDate) > 0) return stepFollowUp(track, point);
  let replayed: RecistTrack = {
    ...track,
    nadirSodHundredths: track.baselineSodHundredths,
    lastAssessmentDate: track.baselineDate,
    lastEvaluableResponse: null,
    followUps: [],
  };
  let evaluation: AssessmentEvaluation | null = null;
  for (const p of [...followUps, point].sort((a, b) => compareDates(a.assessmentDate, b.assessmentDate))) {
    const step = stepFollowUp(replayed, p);
    replayed = step.track;
    if (p === point) evaluation = step.evaluation;
  }
  return { track: replayed, evaluation: evaluation as AssessmentEvaluation };
};

/**
 * Evaluates a subject's assessments in date order (the result is in date order too, whatever the
 * input order). Exactly one assessment must be the baseline, and it must be the earliest; two
 * assessments on the same date are refused because their order — and so the nadir — would be
 * ambiguous.
 */
export const evaluateAssessments = (assessments: readonly TumorAssessmentInput[]): AssessmentEvaluation[] => {
  const baselines = assessments.filter((a) => a.baseline === true);
  if (baselines.length === 0) refuse(RecistErrorCode.noBaseline, 'RECIST responses need a baseline assessment');
  if (baselines.length > 1) refuse(RecistErrorCode.multipleBaselines, `exactly one baseline assessment allowed (got ${baselines.length})`);
  for (const a of assessments) {
    if (!isIsoDate(a.assessmentDate)) {
      invalid(RecistErrorCode.invalidDate, `assessmentDate must be a calendar date YYYY-MM-DD (got ${String(a.assessmentDate)})`);
    }
  }
  const dates = new Set<string>();
  for (const a of assessments) {
    if (dates.has(a.assessmentDate)) {
      refuse(RecistErrorCode.duplicateAssessmentDate, `two tumour assessments dated ${a.assessmentDate}`, { assessmentDate: a.assessmentDate });
    }
    dates.add(a.assessmentDate);
  }
  const started = startRecistTrack(baselines[0]);
  const followUps = assessments
    .filter((a) => a !== baselines[0])
    .sort((a, b) => compareDates(a.assessmentDate, b.assessmentDate));
  const evaluations: AssessmentEvaluation[] = [started.evaluation];
  let track = started.track;
  for (const input of followUps) {
    const step = evaluateFollowUp(track, input);
    track = step.track;
    evaluations.push(step.evaluation);
  }
  return evaluations;
};
