/**
 * RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228–247) as pure functions, per SPEC §3.
 *
 * Every threshold is decided in integer arithmetic on hundredths of a millimetre: 20 % above a nadir
 * of 50 mm is exactly 60 mm and 60 mm is PD; 30 % below a baseline of 100 mm is exactly 70 mm and
 * 70 mm is PR. Percentages are never compared as floating-point numbers.
 */
import { assertNever, invalid, refuse } from '../../shared/domain-error';
import { asRead, asReadCaseless, isBlankText, requirePrintable } from '../../shared/free-text';
import { requirePrecision, type FormatOptions } from '../payload.validate';
import { addDays, compareDates, isIsoDate, type IsoDate } from '../../shared/iso-date';
import type {
  AssessmentEvaluation,
  BestOverallResponseOptions,
  BestOverallResponseResult,
  NonTargetStatus,
  OverallResponse,
  RecistTimePoint,
  RecistTrack,
  TargetLesion,
  TargetResponse,
  TumorAssessmentInput,
} from './recist.types';

/** Stable error codes clients may rely on (SPEC §2: RFC 9457 problems with a stable code). */
export const RecistErrorCode = {
  invalidDate: 'RECIST.INVALID_DATE',
  invalidModality: 'RECIST.INVALID_MODALITY',
  invalidNonTargetStatus: 'RECIST.INVALID_NON_TARGET_STATUS',
  invalidNewLesions: 'RECIST.INVALID_NEW_LESIONS',
  invalidLesion: 'RECIST.INVALID_LESION',
  invalidDiameter: 'RECIST.INVALID_DIAMETER',
  diameterPrecision: 'RECIST.DIAMETER_PRECISION',
  invalidSod: 'RECIST.INVALID_SOD',
  noTargets: 'RECIST.NO_TARGETS',
  tooManyTargets: 'RECIST.TOO_MANY_TARGETS',
  tooManyPerOrgan: 'RECIST.TOO_MANY_PER_ORGAN',
  duplicateLesion: 'RECIST.DUPLICATE_LESION',
  baselineNotMeasured: 'RECIST.BASELINE_NOT_MEASURED',
  belowMeasurableSize: 'RECIST.BELOW_MEASURABLE_SIZE',
  notBaseline: 'RECIST.NOT_BASELINE',
  newLesionsAtBaseline: 'RECIST.NEW_LESIONS_AT_BASELINE',
  progressionAtBaseline: 'RECIST.PROGRESSION_AT_BASELINE',
  lesionSetMismatch: 'RECIST.LESION_SET_MISMATCH',
  noBaseline: 'RECIST.NO_BASELINE',
  multipleBaselines: 'RECIST.MULTIPLE_BASELINES',
  assessmentBeforeBaseline: 'RECIST.ASSESSMENT_BEFORE_BASELINE',
  duplicateAssessmentDate: 'RECIST.DUPLICATE_ASSESSMENT_DATE',
} as const;

/** Bounds of a target lesion's fields, enforced here and documented by the API's DTO (one source). */
export const TARGET_LESION_BOUNDS = { lesionIdMaxLength: 50, organMaxLength: 100, diameterMm: { min: 0, max: 1000 } } as const;
/** RECIST 1.1 §3.2/§4.2: at most five target lesions in total and two per organ. */
export const MAX_TARGET_LESIONS = 5;
export const MAX_TARGETS_PER_ORGAN = 2;
/** RECIST 1.1 §3.1.1: a non-nodal lesion is measurable at ≥ 10 mm longest diameter on CT/MRI (slice ≤ 5 mm). */
export const MIN_NON_NODAL_BASELINE_MM = 10;
/** RECIST 1.1 §3.1.1: a node is a measurable (target) lesion at ≥ 15 mm short axis. */
export const MIN_NODAL_BASELINE_MM = 15;
/** RECIST 1.1 §4.3.1: a target node counts as normal again (CR) below 10 mm short axis. */
export const NODAL_NORMAL_BELOW_MM = 10;
/** RECIST 1.1 §4.4.2: CR/PR confirmed by a repeat assessment not less than 4 weeks later. */
export const CONFIRMATION_DAYS = 28;
/** Default minimum SD duration for best response (RECIST 1.1 §4.4.1 leaves it to the protocol). */
export const MIN_STABLE_DISEASE_DAYS = 42;

/**
 * All lymph nodes, whatever their chain, count as a single organ for the two-per-organ rule
 * (EORTC RECIST working group, "RECIST 1.1 questions and clarifications": "Nodes are considered to be
 * one organ").
 */
const LYMPH_NODE_ORGAN = 'lymph node';

const MODALITIES: readonly string[] = ['CT', 'MRI'];
const NON_TARGET_STATUSES: readonly string[] = ['absent', 'present', 'unequivocal-progression', 'not-evaluated'];

// ---------------------------------------------------------------------------------------------
// Exact millimetres: integers in hundredths of a millimetre.
// ---------------------------------------------------------------------------------------------

/**
 * mm → integer hundredths of a mm. CT calipers report to 0.1 mm; two decimals leave room for averaged
 * reads. Anything finer is refused rather than silently rounded, so every comparison stays exact.
 */
/** Decimal places a recorded diameter may carry (0.01 mm; see `toHundredths`). */
const DIAMETER_DECIMALS = 2;

const toHundredths = (mm: number, field: string): number => {
  const scaled = mm * 100;
  const rounded = Math.round(scaled);
  if (!Number.isSafeInteger(rounded) || Math.abs(scaled - rounded) > 1e-6) {
    invalid(RecistErrorCode.diameterPrecision, `${field} must be given to at most 0.01 mm (got ${mm})`, { field, value: mm });
  }
  return rounded;
};

const fromHundredths = (hundredths: number): number => hundredths / 100;

/** Display-only percentage change, rounded to 0.01 %; `null` when the reference is 0. */
const percentChange = (value: number, reference: number): number | null =>
  reference === 0 ? null : Math.round(((value - reference) * 10_000) / reference) / 100;

/** PR (RECIST 1.1 §4.3.1): SOD at least 30 % below baseline, i.e. SOD ≤ 0.7 × baseline, inclusive. */
const meetsPartialResponse = (sod: number, baselineSod: number): boolean => sod * 10 <= baselineSod * 7;

/**
 * PD (RECIST 1.1 §4.3.1): SOD at least 20 % above the nadir **and** at least 5 mm above it, both
 * inclusive. The 5 mm floor keeps a small absolute change on a small sum from being called PD.
 */
const meetsProgression = (sod: number, nadirSod: number): boolean =>
  sod * 10 >= nadirSod * 12 && sod - nadirSod >= 500;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** Organ names are compared as read and case-insensitively ("Liver", "liver" and "liver\u200b" are one organ). */
const normaliseOrgan = (organ: string): string => asReadCaseless(organ);

const organKey = (lesion: Pick<TargetLesion, 'organ' | 'nodal'>): string =>
  lesion.nodal ? LYMPH_NODE_ORGAN : normaliseOrgan(lesion.organ);

/** Checks that hold for any assessment, baseline or follow-up: shape, ranges and unique lesion ids. */
const validateAssessmentShape = (input: TumorAssessmentInput, format: FormatOptions): void => {
  if (!isIsoDate(input.assessmentDate)) {
    invalid(RecistErrorCode.invalidDate, `assessmentDate must be a calendar date YYYY-MM-DD (got ${String(input.assessmentDate)})`);
  }
  if (!MODALITIES.includes(input.modality)) {
    invalid(RecistErrorCode.invalidModality, `modality must be CT or MRI (got ${String(input.modality)})`);
  }
  if (!NON_TARGET_STATUSES.includes(input.nonTargetStatus)) {
    invalid(RecistErrorCode.invalidNonTargetStatus, `nonTargetStatus must be one of ${NON_TARGET_STATUSES.join(', ')}`);
  }
  if (typeof input.newLesions !== 'boolean') {
    invalid(RecistErrorCode.invalidNewLesions, 'newLesions must be true or false');
  }
  if (!Array.isArray(input.targetLesions)) {
    invalid(RecistErrorCode.invalidLesion, 'targetLesions must be a list');
  }
  const seen = new Set<string>();
  for (const lesion of input.targetLesions) {
    if (typeof lesion?.lesionId !== 'string' || isBlankText(lesion.lesionId) || lesion.lesionId.length > TARGET_LESION_BOUNDS.lesionIdMaxLength) {
      invalid(RecistErrorCode.invalidLesion, `every target lesion needs a lesionId of 1–${TARGET_LESION_BOUNDS.lesionIdMaxLength} characters`);
    }
    requirePrintable('lesionId', lesion.lesionId);
    if (typeof lesion.organ !== 'string' || isBlankText(lesion.organ) || lesion.organ.length > TARGET_LESION_BOUNDS.organMaxLength) {
      invalid(RecistErrorCode.invalidLesion, `lesion ${lesion.lesionId} needs an organ of 1–${TARGET_LESION_BOUNDS.organMaxLength} characters`, { lesionId: lesion.lesionId });
    }
    requirePrintable('organ', lesion.organ);
    if (typeof lesion.nodal !== 'boolean') {
      invalid(RecistErrorCode.invalidLesion, `lesion ${lesion.lesionId}: nodal must be true or false`, { lesionId: lesion.lesionId });
    }
    if (lesion.diameterMm !== null) {
      const { min, max } = TARGET_LESION_BOUNDS.diameterMm;
      if (typeof lesion.diameterMm !== 'number' || !Number.isFinite(lesion.diameterMm) || lesion.diameterMm < min || lesion.diameterMm > max) {
        invalid(RecistErrorCode.invalidDiameter, `lesion ${lesion.lesionId}: diameterMm must be a number from ${min} to ${max} mm, or null`, {
          lesionId: lesion.lesionId,
          value: lesion.diameterMm,
        });
      }
      // Strictly as written: a subnormal or 1e-9 mm is within toHundredths' float tolerance, not a measurement.
      requirePrecision(`lesion ${lesion.lesionId} diameterMm`, lesion.diameterMm as number, DIAMETER_DECIMALS, 'mm', format, RecistErrorCode.diameterPrecision);
    }
    // Two ids that print alike ("T1", "T1\u200b") would be two lesions no reader could tell apart.
    if (seen.has(asRead(lesion.lesionId))) {
      invalid(RecistErrorCode.duplicateLesion, `lesion ${lesion.lesionId} is listed twice`, { lesionId: lesion.lesionId });
    }
    seen.add(asRead(lesion.lesionId));
  }
};

/**
 * Baseline rules (RECIST 1.1 §4.2, SPEC §3): 1–5 target lesions, at most 2 per organ (all nodes are
 * one organ), every one measured and measurable — non-nodal ≥ 10 mm longest diameter, nodal ≥ 15 mm
 * short axis. A node of 10–14.9 mm is pathological but only a non-target lesion, so it is refused as a
 * target rather than silently accepted. New lesions and unequivocal progression cannot exist at
 * baseline: progression is relative to it.
 */
export const validateBaseline = (input: TumorAssessmentInput, format: FormatOptions = {}): void => {
  validateAssessmentShape(input, format);
  if (input.baseline !== true) {
    invalid(RecistErrorCode.notBaseline, 'the baseline assessment must be flagged baseline: true');
  }
  const lesions = input.targetLesions;
  if (lesions.length === 0) {
    invalid(RecistErrorCode.noTargets, 'RECIST 1.1 needs at least one measurable target lesion at baseline');
  }
  if (lesions.length > MAX_TARGET_LESIONS) {
    invalid(RecistErrorCode.tooManyTargets, `at most ${MAX_TARGET_LESIONS} target lesions (got ${lesions.length})`, {
      count: lesions.length,
    });
  }
  const perOrgan = new Map<string, number>();
  for (const lesion of lesions) {
    const key = organKey(lesion);
    perOrgan.set(key, (perOrgan.get(key) ?? 0) + 1);
  }
  for (const [organ, count] of perOrgan) {
    if (count > MAX_TARGETS_PER_ORGAN) {
      invalid(RecistErrorCode.tooManyPerOrgan, `at most ${MAX_TARGETS_PER_ORGAN} target lesions per organ (${organ}: ${count})`, {
        organ,
        count,
      });
    }
  }
  for (const lesion of lesions) {
    if (lesion.diameterMm === null) {
      invalid(RecistErrorCode.baselineNotMeasured, `target lesion ${lesion.lesionId} must be measured at baseline`, {
        lesionId: lesion.lesionId,
      });
    }
    const minimum = lesion.nodal ? MIN_NODAL_BASELINE_MM : MIN_NON_NODAL_BASELINE_MM;
    if (toHundredths(lesion.diameterMm as number, 'diameterMm') < minimum * 100) {
      invalid(
        RecistErrorCode.belowMeasurableSize,
        `target lesion ${lesion.lesionId} is not measurable: ${lesion.nodal ? 'short axis' : 'longest diameter'} ` +
          `${lesion.diameterMm} mm < ${minimum} mm`,
        { lesionId: lesion.lesionId, diameterMm: lesion.diameterMm, minimumMm: minimum },
      );
    }
  }
  if (input.newLesions) {
    invalid(RecistErrorCode.newLesionsAtBaseline, 'new lesions are judged against baseline and cannot be reported on it');
  }
  if (input.nonTargetStatus === 'unequivocal-progression') {
    invalid(RecistErrorCode.progressionAtBaseline, 'non-target progression is judged against baseline and cannot be reported on it');
  }
};

/**
 * A follow-up must report exactly the baseline target lesions (RECIST 1.1 §4.3: the same lesions are
 * followed throughout) — same ids, same organ, same nodal flag. An unmeasured one is reported with
 * `diameterMm: null`, not left out.
 */
export const validateFollowUp = (
  baseline: Pick<TumorAssessmentInput, 'targetLesions'> | Pick<RecistTrack, 'lesions'>,
  input: TumorAssessmentInput,
  format: FormatOptions = {},
): void => {
  validateAssessmentShape(input, format);
  if (input.baseline) {
    refuse(RecistErrorCode.multipleBaselines, 'a follow-up assessment cannot be flagged baseline: the subject already has one');
  }
  const reference = 'lesions' in baseline ? baseline.lesions : baseline.targetLesions;
  const { missing, unexpected, changed } = lesionSetDifference(reference, input.targetLesions);
  if (missing.length > 0 || unexpected.length > 0 || changed.length > 0) {
    refuse(
      RecistErrorCode.lesionSetMismatch,
      'the target lesions must be exactly those of the baseline (same ids, organ and nodal flag)',
      { missing, unexpected, changed },
    );
  }
};

/**
 * How a follow-up's target lesions differ from the baseline's: ids the follow-up leaves out, ids the
 * baseline does not have, and ids whose organ (as read) or nodal flag changed. All empty: the same set.
 */
export const lesionSetDifference = (
  reference: ReadonlyArray<Pick<TargetLesion, 'lesionId' | 'organ' | 'nodal'>>,
  lesions: ReadonlyArray<Pick<TargetLesion, 'lesionId' | 'organ' | 'nodal'>>,
): { missing: string[]; unexpected: string[]; changed: string[] } => {
  const expected = new Map(reference.map((l) => [l.lesionId, l]));
  const reported = new Set(lesions.map((l) => l.lesionId));
  return {
    missing: reference.filter((l) => !reported.has(l.lesionId)).map((l) => l.lesionId),
    unexpected: lesions.filter((l) => !expected.has(l.lesionId)).map((l) => l.lesionId),
    changed: lesions
      .filter((l) => {
        const base = expected.get(l.lesionId);
        return base !== undefined && (normaliseOrgan(base.organ) !== normaliseOrgan(l.organ) || base.nodal !== l.nodal);
      })
      .map((l) => l.lesionId),
  };
};

// ---------------------------------------------------------------------------------------------
// Sum of diameters and responses
// ---------------------------------------------------------------------------------------------

/** SOD in integer hundredths of a mm over the measured lesions, with a flag for unmeasured ones. */
const measuredSum = (lesions: readonly TargetLesion[]): { hundredths: number; complete: boolean } => {
  let hundredths = 0;
  let complete = true;
  for (const lesion of lesions) {
    if (lesion.diameterMm === null) complete = false;
    else hundredths += toHundredths(lesion.diameterMm, `lesion ${lesion.lesionId} diameterMm`);
  }
  return { hundredths, complete };
};

/**
 * Sum of diameters (RECIST 1.1 §4.2): longest diameters of non-nodal targets plus short axes of nodal
 * ones — `diameterMm` already holds the right axis for each. `null` if any target was not measured.
 * Note that with nodal targets the SOD of a CR need not be 0 (a normal node still has a size).
 */
export const sumOfDiameters = (lesions: readonly TargetLesion[]): number | null => {
  const { hundredths, complete } = measuredSum(lesions);
  return complete ? fromHundredths(hundredths) : null;
};

/** CR (RECIST 1.1 §4.3.1): every non-nodal target gone (0 mm) and every nodal target < 10 mm short axis. */
const meetsCompleteResponse = (lesions: readonly TargetLesion[]): boolean =>
  lesions.every((l) =>
    l.diameterMm === null
      ? false
      : l.nodal
        ? toHundredths(l.diameterMm, 'diameterMm') < NODAL_NORMAL_BELOW_MM * 100
        : toHundredths(l.diameterMm, 'diameterMm') === 0,
  );

/**
 * A measured target lesion that is disease again: a non-nodal one seen at all (> 0 mm), a node at
 * 10 mm short axis or more (below that it is normal; EORTC RECIST 1.1 FAQ "Abnormal lymph node").
 */
const reappeared = (lesions: readonly TargetLesion[]): boolean =>
  lesions.some((l) =>
    l.diameterMm === null
      ? false
      : l.nodal
        ? toHundredths(l.diameterMm, 'diameterMm') >= NODAL_NORMAL_BELOW_MM * 100
        : toHundredths(l.diameterMm, 'diameterMm') > 0,
  );

const targetResponseInHundredths = (
  lesions: readonly TargetLesion[],
  baselineSod: number,
  nadirSod: number,
  afterCompleteResponse: boolean,
): TargetResponse => {
  const { hundredths: sod, complete } = measuredSum(lesions);
  // After an overall CR the reappearance of any lesion is PD, however small the sum (EORTC RECIST 1.1
  // FAQ "Does a new lesion always result in PD?"): 4 mm on a 0 mm nadir is not 5 mm above it.
  const progressed = meetsProgression(sod, nadirSod) || (afterCompleteResponse && reappeared(lesions));
  if (!complete) {
    // Unmeasured lesions can only add to the sum, so PD shown by the measured ones alone is certain.
    return progressed ? 'PD' : 'NE';
  }
  // CR before PD: when every target is gone or a normal-sized node, growth of normal nodes (e.g. a
  // node from 4 mm to 9.9 mm) is not disease progression (RECIST 1.1 §4.3.1 special notes).
  if (meetsCompleteResponse(lesions)) return 'CR';
  // PD before PR: shrinkage from baseline does not hide regrowth from the nadir.
  if (progressed) return 'PD';
  if (meetsPartialResponse(sod, baselineSod)) return 'PR';
  return 'SD';
};

/**
 * Target-lesion time-point response (RECIST 1.1 §4.3.1, SPEC §3). `baselineSod` is the PR reference,
 * `nadirSod` the smallest SOD so far with the baseline included (the PD reference), both in mm.
 * Order: NE (a target not measured) unless the measured ones already show PD; then CR, PD, PR, SD.
 * PD is also a target lesion reappearing after an overall CR at the previous evaluable time point.
 */
export const targetResponse = (args: {
  baselineSod: number;
  nadirSod: number;
  lesions: readonly TargetLesion[];
  /** The previous evaluable time point was an overall CR: a reappearing target lesion is PD. */
  afterCompleteResponse?: boolean;
}): TargetResponse => {
  for (const [field, value] of [['baselineSod', args.baselineSod], ['nadirSod', args.nadirSod]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      invalid(RecistErrorCode.invalidSod, `${field} must be a finite number ≥ 0 (got ${String(value)})`);
    }
  }
  const baseline = toHundredths(args.baselineSod, 'baselineSod');
  const nadir = toHundredths(args.nadirSod, 'nadirSod');
  if (baseline === 0) invalid(RecistErrorCode.invalidSod, 'baselineSod must be positive: baseline targets are measurable');
  if (nadir > baseline) invalid(RecistErrorCode.invalidSod, 'nadirSod cannot exceed baselineSod: the baseline is part of the nadir');
  return targetResponseInHundredths(args.lesions, baseline, nadir, args.afterCompleteResponse ?? false);
};

/**
 * Overall time-point response (RECIST 1.1 Table 1, SPEC §3):
 * - PD if target PD, unequivocal non-target progression or any new lesion — whatever else, so target
 *   NE with a new lesion is PD;
 * - CR if target CR with non-targets absent and no new lesion;
 * - PR if target CR with non-targets `present` or `not-evaluated` (Table 1: "non-CR/non-PD" and
 *   "not evaluated" rows), or target PR;
 * - SD if target SD; otherwise (target NE) NE.
 */
export const overallResponse = (args: {
  target: TargetResponse;
  nonTargetStatus: NonTargetStatus;
  newLesions: boolean;
}): OverallResponse => {
  const { target, nonTargetStatus, newLesions } = args;
  if (target === 'PD' || nonTargetStatus === 'unequivocal-progression' || newLesions) return 'PD';
  switch (target) {
    case 'CR':
      return nonTargetStatus === 'absent' ? 'CR' : 'PR';
    case 'PR':
      return 'PR';
    case 'SD':
      return 'SD';
    case 'NE':
      return 'NE';
    default:
      return assertNever(target, 'target response');
  }
};

// ---------------------------------------------------------------------------------------------
// The fold over a subject's assessments
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Best overall response (secondary output)
// ---------------------------------------------------------------------------------------------

const isResponse = (r: OverallResponse | null): boolean => r === 'CR' || r === 'PR';

/**
 * Best overall response with confirmation (RECIST 1.1 §4.4, Table 3), the rule implemented:
 * 1. Only post-baseline time points up to and including the first overall PD count; nothing after a
 *    progression can improve the best response.
 * 2. **CR** if a CR is followed, ≥ `confirmationDays` (28) later, by another CR.
 * 3. otherwise **PR** if a CR or PR is followed, ≥ 28 days later, by a CR or PR (so PR→CR and CR→PR
 *    both give PR: Table 3 treats a CR not sustained as a PR when the later disease meets PR criteria).
 *    Time points in between may be anything but PD (SD and NE do not break the confirmation).
 * 4. otherwise **SD** if some CR, PR or SD time point is ≥ `minStableDiseaseDays` (42) after
 *    `startDate` (default: the baseline date) — an unconfirmed response still counts as SD (Table 3);
 * 5. otherwise **PD** if a PD was recorded (early progression);
 * 6. otherwise **NE** (no post-baseline assessment, all NE, or SD too early to count).
 */
export const bestOverallResponse = (
  evaluations: readonly AssessmentEvaluation[],
  options: BestOverallResponseOptions = {},
): BestOverallResponseResult => {
  const confirmationDays = options.confirmationDays ?? CONFIRMATION_DAYS;
  const minStableDiseaseDays = options.minStableDiseaseDays ?? MIN_STABLE_DISEASE_DAYS;
  const ordered = [...evaluations].sort((a, b) => compareDates(a.assessmentDate, b.assessmentDate));
  const baseline = ordered.find((e) => e.baseline);
  const startDate: IsoDate | undefined = options.startDate ?? baseline?.assessmentDate;
  const postBaseline = ordered.filter((e) => !e.baseline);
  const firstPd = postBaseline.findIndex((e) => e.overallResponse === 'PD');
  const window = firstPd === -1 ? postBaseline : postBaseline.slice(0, firstPd + 1);

  const confirmedPair = (qualifies: (r: OverallResponse | null) => boolean): BestOverallResponseResult | null => {
    for (let i = 0; i < window.length; i++) {
      if (!qualifies(window[i].overallResponse)) continue;
      const due = addDays(window[i].assessmentDate, confirmationDays);
      const confirming = window.slice(i + 1).find((e) => qualifies(e.overallResponse) && compareDates(e.assessmentDate, due) >= 0);
      if (confirming) {
        return {
          response: window[i].overallResponse === 'CR' && confirming.overallResponse === 'CR' ? 'CR' : 'PR',
          responseDate: window[i].assessmentDate,
          confirmedOn: confirming.assessmentDate,
        };
      }
    }
    return null;
  };

  const confirmedCr = confirmedPair((r) => r === 'CR');
  if (confirmedCr) return confirmedCr;
  const confirmedPr = confirmedPair(isResponse);
  if (confirmedPr) return { ...confirmedPr, response: 'PR' };

  const sdFrom = startDate === undefined ? undefined : addDays(startDate, minStableDiseaseDays);
  const stable = window.find(
    (e) =>
      (isResponse(e.overallResponse) || e.overallResponse === 'SD') &&
      (sdFrom === undefined || compareDates(e.assessmentDate, sdFrom) >= 0),
  );
  if (stable) return { response: 'SD', responseDate: stable.assessmentDate, confirmedOn: null };
  if (firstPd !== -1) return { response: 'PD', responseDate: postBaseline[firstPd].assessmentDate, confirmedOn: null };
  return { response: 'NE', responseDate: null, confirmedOn: null };
};
