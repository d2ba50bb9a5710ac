/**
 * Categories of the deviations the system detects from the tumour assessment schedule (SPEC §1: CT or
 * MRI per RECIST 1.1, every `intervalDays` ± `windowDays` from enrollment). Stable ids for reports;
 * part of `DETECTED_DEVIATIONS`.
 */
export const SCHEDULE_DEVIATIONS = {
  /** RECIST 1.1 §3.2: a follow-up made by another imaging method than the baseline (CT at baseline, MRI after). */
  assessmentMethodChanged: 'assessment-method-changed',
  /** A follow-up dated outside every scheduled window (enrollment + k × interval ± window, k ≥ 1, and the end of follow-up, enrollment + horizon ± window). */
  assessmentOutOfWindow: 'assessment-out-of-window',
  /** A scheduled visit whose window closed, before progression, with no scan in it or attributed to it. */
  missedAssessment: 'missed-assessment',
} as const;
