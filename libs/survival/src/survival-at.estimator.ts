import { invalid } from '@trial-ledger/domain';
import type { KaplanMeierCurve } from './kaplan-meier.estimator';

/** The survival rate at a landmark day (e.g. the 182- and 365-day PFS rate) with its CI. */
export interface SurvivalAtDay {
  readonly day: number;
  /** null past the last observed time, where R reports nothing without `extend = TRUE`. */
  readonly survival: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

/**
 * S(day) as R's `summary(fit, times = day)` reports it: the step function carried forward from the
 * last time ≤ day; before the first time, R's inserted origin row (S = 1 with CI 1–1). Past the
 * largest observed time (event or censoring) R drops the day (or stops with "no points selected")
 * unless `extend = TRUE`; the follow-up does not support an estimate there, so this returns nulls.
 */
export const survivalAt = (km: KaplanMeierCurve, day: number): SurvivalAtDay => {
  if (typeof day !== 'number' || !Number.isFinite(day) || day < 0) {
    invalid('SURVIVAL.INVALID_DAY', `Landmark day must be a finite number ≥ 0, got ${String(day)}`, { day });
  }
  if (km.length === 0 || day > km[km.length - 1].time) {
    return { day, survival: null, lower: null, upper: null };
  }
  const row = lastRowAtOrBefore(km, day);
  if (row === undefined) return { day, survival: 1, lower: 1, upper: 1 };
  return { day, survival: row.survival, lower: row.lower, upper: row.upper };
};

/** Binary search: the rows are in increasing time. */
const lastRowAtOrBefore = (km: KaplanMeierCurve, day: number) => {
  let low = 0;
  let high = km.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (km[middle].time <= day) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? undefined : km[low - 1];
};
