export * from './recist.types';
export { notEvaluableAssessment } from './not-evaluable';
export {
  CONFIRMATION_DAYS,
  MAX_TARGET_LESIONS,
  MAX_TARGETS_PER_ORGAN,
  MIN_NODAL_BASELINE_MM,
  MIN_NON_NODAL_BASELINE_MM,
  MIN_STABLE_DISEASE_DAYS,
  NODAL_NORMAL_BELOW_MM,
  RecistErrorCode,
  TARGET_LESION_BOUNDS,
  bestOverallResponse,
  evaluateAssessments,
  evaluateFollowUp,
  overallResponse,
  startRecistTrack,
  sumOfDiameters,
  targetResponse,
  validateBaseline,
  lesionSetDifference,
  validateFollowUp,
} from './recist';
