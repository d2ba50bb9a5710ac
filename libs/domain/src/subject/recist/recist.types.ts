import type { IsoDate } from '../../shared/iso-date';

/**
 * A RECIST 1.1 target lesion as recorded on one assessment (SPEC Appendix A, `RecordTumorAssessment`).
 * The same `lesionId` is followed from baseline to the last assessment.
 */
export interface TargetLesion {
  lesionId: string;
  organ: string;
  /**
   * Longest diameter for a non-nodal lesion, **short axis** for a lymph node (RECIST 1.1 §4.2), in mm.
   * `null` = not measured at this assessment (the target response then becomes NE unless PD is met).
   * 0 = the radiologist judges the lesion gone; 5 is the RECIST default for "present, too small to measure".
   */
  diameterMm: number | null;
  /** A pathological lymph node: measured by its short axis, "normal" again below 10 mm. */
  nodal: boolean;
}

/** Non-target lesions are judged qualitatively (RECIST 1.1 §4.3.2). `absent` also covers "none at baseline". */
export type NonTargetStatus = 'absent' | 'present' | 'unequivocal-progression' | 'not-evaluated';

export type ImagingModality = 'CT' | 'MRI';

/** The payload of `RecordTumorAssessment` (SPEC Appendix A). */
export interface TumorAssessmentInput {
  assessmentDate: IsoDate;
  modality: ImagingModality;
  /** The pre-treatment assessment that fixes the target lesions and the reference SOD. */
  baseline: boolean;
  targetLesions: TargetLesion[];
  nonTargetStatus: NonTargetStatus;
  /** Unequivocal new malignant lesion(s): progression whatever the targets do (RECIST 1.1 §4.3.2). */
  newLesions: boolean;
}

/** Time-point response of the target lesions (RECIST 1.1 §4.3.1). */
export type TargetResponse = 'CR' | 'PR' | 'SD' | 'PD' | 'NE';

/** Time-point (overall) response combining targets, non-targets and new lesions (RECIST 1.1 Table 1). */
export type OverallResponse = 'CR' | 'PR' | 'SD' | 'PD' | 'NE';

/**
 * The derived figures for one assessment. Millimetres are exact to 0.01 mm (the arithmetic behind
 * them is integer hundredths); percentages are for display only, rounded to 0.01 %, and never used
 * to decide a response.
 */
export interface AssessmentEvaluation {
  assessmentDate: IsoDate;
  baseline: boolean;
  /** Sum of diameters, mm; `null` when a target lesion was not measured. */
  sod: number | null;
  /** Smallest SOD before this assessment, baseline included (the PD reference); `null` at baseline. */
  nadirBefore: number | null;
  /** (SOD − baseline SOD) / baseline SOD × 100; `null` when SOD is unknown. 0 at baseline. */
  percentFromBaseline: number | null;
  /** (SOD − nadir) / nadir × 100; `null` at baseline, when SOD is unknown or when the nadir is 0 mm. */
  percentFromNadir: number | null;
  /** `null` at baseline: a response is only defined relative to it. */
  targetResponse: TargetResponse | null;
  overallResponse: OverallResponse | null;
}

/**
 * What a follow-up needs to know about the history: plain, serialisable data so a decider can keep it
 * in subject state and evaluate each new assessment without re-reading the whole stream.
 */
export interface RecistTrack {
  baselineDate: IsoDate;
  /** The target lesion set fixed at baseline; every follow-up must report exactly these. */
  lesions: ReadonlyArray<{ lesionId: string; organ: string; nodal: boolean }>;
  /** Baseline SOD in integer hundredths of a millimetre (PR reference). */
  baselineSodHundredths: number;
  /** Smallest SOD so far, baseline included, in integer hundredths of a millimetre (PD reference). */
  nadirSodHundredths: number;
  /** Date of the latest assessment folded in (the latest-dated, whatever the order of entry). */
  lastAssessmentDate: IsoDate;
  /**
   * Overall response of the latest follow-up that was not NE (`null` before any): after an overall CR
   * the reappearance of a target lesion is PD whatever the sum (EORTC RECIST 1.1 FAQ).
   */
  lastEvaluableResponse: OverallResponse | null;
  /**
   * The follow-ups folded in, in date order, as measured: a scan entered late (dated before the latest)
   * is judged against the scans dated before it, and the history re-run in date order after it.
   */
  followUps: readonly RecistTimePoint[];
}

/** What RECIST needs of a follow-up to judge it again: its date and what was seen. */
export type RecistTimePoint = Pick<TumorAssessmentInput, 'assessmentDate' | 'targetLesions' | 'nonTargetStatus' | 'newLesions'>;

/** Best overall response (RECIST 1.1 §4.4.3), a secondary output of the study (SPEC §3). */
export interface BestOverallResponseResult {
  response: OverallResponse;
  /** Date of the time point that earned the response (first of the pair for confirmed CR/PR). */
  responseDate: IsoDate | null;
  /** Date of the confirming assessment for CR/PR; `null` otherwise. */
  confirmedOn: IsoDate | null;
}

export interface BestOverallResponseOptions {
  /** Minimum days between a CR/PR and the assessment confirming it. RECIST 1.1 §4.6.1: 4 weeks. */
  confirmationDays?: number;
  /**
   * Minimum days from `startDate` for a time point to count as SD in the best response. RECIST 1.1
   * leaves it to the protocol ("in general not less than 6–8 weeks"); default 42.
   */
  minStableDiseaseDays?: number;
  /** Study entry (enrollment); defaults to the baseline assessment date. */
  startDate?: IsoDate;
}
