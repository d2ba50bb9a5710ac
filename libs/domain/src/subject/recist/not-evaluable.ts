import type { IsoDate } from '../../shared/iso-date';
import type { AssessmentEvaluation } from './recist.types';

/**
 * The figures of a follow-up RECIST 1.1 cannot judge (no baseline to judge it against, or dated on or
 * before the baseline): not evaluable, with no sum and no target response.
 */
export const notEvaluableAssessment = (assessmentDate: IsoDate): AssessmentEvaluation => ({
  assessmentDate,
  baseline: false,
  sod: null,
  nadirBefore: null,
  percentFromBaseline: null,
  percentFromNadir: null,
  targetResponse: null,
  overallResponse: 'NE',
});
