/**
 * What a tumour assessment must be before RECIST 1.1 judges it: its shape, the baseline's choice of
 * target lesions (§3.1 measurability, §4.2 at most five, two per organ) and a follow-up reporting the
 * same target lesions as the baseline (§4.3).
 */
import { invalid, refuse } from '../../shared/domain-error';
import { asRead, asReadCaseless, isBlankText, requirePrintable } from '../../shared/free-text';
import { isIsoDate } from '../../shared/iso-date';
import { requirePrecision, type FormatOptions } from '../payload.validate';
import { RecistErrorCode } from './recist.errors';
import type { RecistTrack, TargetLesion, TumorAssessmentInput } from './recist.types';
import { DIAMETER_DECIMALS, toHundredths } from './sum-of-diameters';

/** Bounds of a target lesion's fields, enforced here and documented by the API's DTO (one source). */
export const TARGET_LESION_BOUNDS = { lesionIdMaxLength: 50, organMaxLength: 100, diameterMm: { min: 0, max: 1000 } } as const;
/** RECIST 1.1 §3.2/§4.2: at most five target lesions in total and two per organ. */
export const MAX_TARGET_LESIONS = 5;
export const MAX_TARGETS_PER_ORGAN = 2;
/** RECIST 1.1 §3.1.1: a non-nodal lesion is measurable at ≥ 10 mm longest diameter on CT/MRI (slice ≤ 5 mm). */
export const MIN_NON_NODAL_BASELINE_MM = 10;
/** RECIST 1.1 §3.1.1: a node is a measurable (target) lesion at ≥ 15 mm short axis. */
export const MIN_NODAL_BASELINE_MM = 15;

/**
 * All lymph nodes, whatever their chain, count as a single organ for the two-per-organ rule
 * (EORTC RECIST working group, "RECIST 1.1 questions and clarifications": "Nodes are considered to be
 * one organ").
 */
const LYMPH_NODE_ORGAN = 'lymph node';

const MODALITIES: readonly string[] = ['CT', 'MRI'];
const NON_TARGET_STATUSES: readonly string[] = ['absent', 'present', 'unequivocal-progression', 'not-evaluated'];

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
