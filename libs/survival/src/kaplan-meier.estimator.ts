import { invalid } from '@trial-ledger/domain';
import { normalQuantile } from './normal-quantile';

/** One subject's time to event: for PFS, AVAL in days with `event` = (CNSR is 0) (ADaM ADTTE). */
export interface SurvivalObservation {
  readonly time: number;
  /** True for an observed event (progression or death), false for a censored time. */
  readonly event: boolean;
}

export interface KaplanMeierOptions {
  /** Two-sided confidence level of the pointwise CI; R's `conf.int`, 0.95 by default. */
  readonly confLevel?: number;
}

/**
 * One row of the product-limit table per distinct observed time, as R's
 * `summary(survfit(...), censored = TRUE)` prints it. `null` stands for R's NA/NaN: not estimable.
 */
export interface KaplanMeierRow {
  readonly time: number;
  /** Subjects still under observation just before `time` (censored at `time` count as at risk). */
  readonly nRisk: number;
  readonly nEvent: number;
  readonly nCensor: number;
  /** Product-limit estimate S(time). */
  readonly survival: number;
  /** Greenwood standard error of S(time): S · sqrt(Σ d / (n (n − d))); null once S reaches 0. */
  readonly stdErr: number | null;
  /** Log-log pointwise CI; null where S is 1 or 0 (R's `survfit_confint` gives NA there). */
  readonly lower: number | null;
  readonly upper: number | null;
}

/** The whole curve: rows in increasing time; it is what the PFS read model's `km` holds. */
export type KaplanMeierCurve = readonly KaplanMeierRow[];

const DEFAULT_CONF_LEVEL = 0.95;

/**
 * Kaplan–Meier product-limit estimate with Greenwood variance and the log-log ("complementary
 * log-log") confidence interval, matching R `survival`'s
 * `survfit(Surv(time, event) ~ 1, conf.type = "log-log")` (see scripts/r/km-fixtures.R).
 * An empty sample gives an empty curve (R refuses to fit one; a study without subjects is normal).
 */
export const kaplanMeier = (
  observations: readonly SurvivalObservation[],
  opts: KaplanMeierOptions = {},
): KaplanMeierCurve => {
  const confLevel = opts.confLevel ?? DEFAULT_CONF_LEVEL;
  if (!(Number.isFinite(confLevel) && confLevel > 0 && confLevel < 1)) {
    invalid('SURVIVAL.INVALID_CONF_LEVEL', `Confidence level must lie strictly between 0 and 1, got ${confLevel}`, {
      confLevel,
    });
  }
  observations.forEach(assertValidObservation);

  const z = normalQuantile(1 - (1 - confLevel) / 2);
  const sorted = [...observations].sort((a, b) => a.time - b.time);
  const rows: KaplanMeierRow[] = [];
  let survival = 1;
  // Greenwood's sum Σ d / (n (n − d)): the variance of log S. It is +Infinity once every subject
  // still at risk has the event (n = d), exactly as in R.
  let greenwood = 0;
  let index = 0;
  while (index < sorted.length) {
    const time = sorted[index].time;
    const nRisk = sorted.length - index;
    let nEvent = 0;
    let nCensor = 0;
    while (index < sorted.length && sorted[index].time === time) {
      if (sorted[index].event) nEvent += 1;
      else nCensor += 1;
      index += 1;
    }
    if (nEvent > 0) {
      survival *= (nRisk - nEvent) / nRisk;
      greenwood += nEvent / (nRisk * (nRisk - nEvent));
    }
    const seLog = Math.sqrt(greenwood);
    rows.push({
      time,
      nRisk,
      nEvent,
      nCensor,
      survival,
      stdErr: finiteOrNull(survival * seLog),
      ...logLogInterval(survival, seLog, z),
    });
  }
  return rows;
};

/**
 * R's `survfit_confint(..., conf.type = "log-log")`: the interval is symmetric on log(−log S) with
 * the standard error of log S divided by log S. S = 1 (no event yet) and S = 0 give NA in R.
 */
const logLogInterval = (
  survival: number,
  seLog: number,
  z: number,
): { lower: number | null; upper: number | null } => {
  if (survival === 0 || survival === 1) return { lower: null, upper: null };
  const logS = Math.log(survival);
  const halfWidth = (z * seLog) / logS;
  const centre = Math.log(-logS);
  return {
    lower: finiteOrNull(Math.exp(-Math.exp(centre - halfWidth))),
    upper: finiteOrNull(Math.exp(-Math.exp(centre + halfWidth))),
  };
};

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

const assertValidObservation = (observation: SurvivalObservation, position: number): void => {
  const { time, event } = observation;
  // Negative times would silently move R's origin (start.time = min(0, time)); PFS days are ≥ 0.
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    invalid('SURVIVAL.INVALID_TIME', `Observation ${position}: time must be a finite number ≥ 0, got ${String(time)}`, {
      position,
      time,
    });
  }
  if (typeof event !== 'boolean') {
    invalid('SURVIVAL.INVALID_EVENT', `Observation ${position}: event must be true or false`, { position });
  }
};
