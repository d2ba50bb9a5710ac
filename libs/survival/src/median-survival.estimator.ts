import type { KaplanMeierCurve } from './kaplan-meier.estimator';

/** Median time to event with its CI, as R's `print(survfit(...))` reports it; null = not reached. */
export interface MedianSurvival {
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

/** R's `.Machine$double.eps^0.5`: how close to 0.5 a curve must be to count as sitting on it. */
const TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * Port of the `minmin` helper inside R survival's `survmean` (used by `print.survfit` and
 * `summary(fit)$table`): the first time the curve is at or below 0.5; but when it sits at exactly
 * 0.5 there, the midpoint between that time and the time it next drops. NA points (a CI limit
 * that is not estimable) are skipped, as R drops them before looking.
 */
const firstAtOrBelowHalf = (times: readonly number[], values: readonly (number | null)[]): number | null => {
  const kept: { time: number; value: number }[] = [];
  values.forEach((value, i) => {
    if (value !== null && value < 0.5 + TOLERANCE) kept.push({ time: times[i], value });
  });
  if (kept.length === 0) return null;
  const first = kept[0];
  if (Math.abs(first.value - 0.5) < TOLERANCE) {
    const nextDrop = kept.find((point) => point.value < first.value);
    if (nextDrop !== undefined) return (first.time + nextDrop.time) / 2;
  }
  return first.time;
};

/** Median survival (e.g. median PFS) and its CI from the lower and upper confidence curves. */
export const medianSurvival = (km: KaplanMeierCurve): MedianSurvival => {
  const times = km.map((row) => row.time);
  return {
    estimate: firstAtOrBelowHalf(
      times,
      km.map((row) => row.survival),
    ),
    lower: firstAtOrBelowHalf(
      times,
      km.map((row) => row.lower),
    ),
    upper: firstAtOrBelowHalf(
      times,
      km.map((row) => row.upper),
    ),
  };
};
