/**
 * The time-point response (RECIST 1.1 §4.3–4.4.1): the target-lesion response (§4.3.1) and, with the
 * non-target lesions and new lesions, the overall response (Table 1).
 *
 * Every threshold is decided in integer arithmetic on hundredths of a millimetre: 20 % above a nadir
 * of 50 mm is exactly 60 mm and 60 mm is PD; 30 % below a baseline of 100 mm is exactly 70 mm and
 * 70 mm is PR. Percentages are never compared as floating-point numbers.
 */
import { assertNever, invalid } from '../../shared/domain-error';
import { RecistErrorCode } from './recist.errors';
import type { NonTargetStatus, OverallResponse, TargetLesion, TargetResponse } from './recist.types';
import { measuredSum, toHundredths } from './sum-of-diameters';

/** RECIST 1.1 §4.3.1: a target node counts as normal again (CR) below 10 mm short axis. */
export const NODAL_NORMAL_BELOW_MM = 10;

/** PR (RECIST 1.1 §4.3.1): SOD at least 30 % below baseline, i.e. SOD ≤ 0.7 × baseline, inclusive. */
const meetsPartialResponse = (sod: number, baselineSod: number): boolean => sod * 10 <= baselineSod * 7;

/**
 * PD (RECIST 1.1 §4.3.1): SOD at least 20 % above the nadir **and** at least 5 mm above it, both
 * inclusive. The 5 mm floor keeps a small absolute change on a small sum from being called PD.
 */
const meetsProgression = (sod: number, nadirSod: number): boolean =>
  sod * 10 >= nadirSod * 12 && sod - nadirSod >= 500;

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

export const targetResponseInHundredths = (
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
