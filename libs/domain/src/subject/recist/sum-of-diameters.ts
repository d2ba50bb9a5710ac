/**
 * Exact millimetres (RECIST 1.1 §4.2): diameters are integers in hundredths of a millimetre before
 * anything is added or compared, and the sum of diameters is taken over them.
 */
import { invalid } from '../../shared/domain-error';
import { RecistErrorCode } from './recist.errors';
import type { TargetLesion } from './recist.types';

/** Decimal places a recorded diameter may carry (0.01 mm; see `toHundredths`). */
export const DIAMETER_DECIMALS = 2;

/**
 * mm → integer hundredths of a mm. CT calipers report to 0.1 mm; two decimals leave room for averaged
 * reads. Anything finer is refused rather than silently rounded, so every comparison stays exact.
 */
export const toHundredths = (mm: number, field: string): number => {
  const scaled = mm * 100;
  const rounded = Math.round(scaled);
  if (!Number.isSafeInteger(rounded) || Math.abs(scaled - rounded) > 1e-6) {
    invalid(RecistErrorCode.diameterPrecision, `${field} must be given to at most 0.01 mm (got ${mm})`, { field, value: mm });
  }
  return rounded;
};

export const fromHundredths = (hundredths: number): number => hundredths / 100;

/** Display-only percentage change, rounded to 0.01 %; `null` when the reference is 0. */
export const percentChange = (value: number, reference: number): number | null =>
  reference === 0 ? null : Math.round(((value - reference) * 10_000) / reference) / 100;

/** SOD in integer hundredths of a mm over the measured lesions, with a flag for unmeasured ones. */
export const measuredSum = (lesions: readonly TargetLesion[]): { hundredths: number; complete: boolean } => {
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
