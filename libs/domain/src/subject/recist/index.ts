/**
 * RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228–247) as pure functions, per SPEC §3, one
 * file per part of the guideline: measurement and the sum of diameters, the assessment's lesion sets,
 * the time-point response, the fold over a subject's assessments, and the best overall response.
 */
export * from './recist.types';
export { notEvaluableAssessment } from './not-evaluable';
export { RecistErrorCode } from './recist.errors';
export { sumOfDiameters } from './sum-of-diameters';
export {
  MAX_TARGET_LESIONS,
  MAX_TARGETS_PER_ORGAN,
  MIN_NODAL_BASELINE_MM,
  MIN_NON_NODAL_BASELINE_MM,
  TARGET_LESION_BOUNDS,
  lesionSetDifference,
  validateBaseline,
  validateFollowUp,
} from './tumor-assessment.validate';
export { NODAL_NORMAL_BELOW_MM, overallResponse, targetResponse } from './time-point-response';
export { evaluateAssessments, evaluateFollowUp, startRecistTrack } from './recist-track';
export { CONFIRMATION_DAYS, MIN_STABLE_DISEASE_DAYS, bestOverallResponse } from './best-overall-response';
