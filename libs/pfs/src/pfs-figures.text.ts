import type { PfsAnalysis } from './analyse-pfs';

/** A survival probability as a reader sees it (`42.9 %`, a space before the sign): NE where R reports none (not estimable). */
export const percentInWords = (value: number | null): string => (value === null ? 'NE' : `${(value * 100).toFixed(1)} %`);

/** The label of a 95 % confidence interval, one spelling in every output (terminal, SVG, report, viewer). */
export const CI_95 = '95 % CI';

/**
 * With no subject there is no curve: its median is not estimable (R's survfit refuses empty data), which
 * "not reached" — the curve staying above one half — would misstate (a cutoff or replay before the first enrollment).
 */
export const NO_SUBJECTS = 'not estimable (no subjects)';

/**
 * Whether the Kaplan–Meier curve falls to 0 (the last subject at risk had the event). There R's log-log
 * confidence limits are NA, so a median CI limit that R reports as NA was not estimable there rather than
 * "not reached" by the end of follow-up.
 */
export const curveEndsAtZero = (km: PfsAnalysis['km']): boolean => km.length > 0 && km[km.length - 1].survival === 0;

/**
 * The median PFS and its CI limits in words: a null estimate is "not reached"; a null upper limit is NR
 * (not reached) while the curve ends above 0 — follow-up ended before the upper confidence curve fell to
 * one half — and NE when it ends at 0, where R's limits are NA (not estimable; one subject with one event
 * reads "NE–NE", as R's NA–NA); a null lower limit is NE. With no subject at all nothing is estimable
 * (`NO_SUBJECTS`, limits NE).
 */
export const medianInWords = (
  m: PfsAnalysis['median'],
  subjects: number,
  endsAtZero: boolean,
): { readonly estimate: string; readonly lower: string; readonly upper: string } => {
  if (subjects === 0) return { estimate: NO_SUBJECTS, lower: 'NE', upper: 'NE' };
  const unreachedUpper = endsAtZero ? 'NE' : 'NR';
  return { estimate: m.estimate === null ? 'not reached' : `${m.estimate} days`, lower: m.lower === null ? 'NE' : String(m.lower), upper: m.upper === null ? unreachedUpper : String(m.upper) };
};

/**
 * The headline PFS figures in words, for the printable report and the viewer's dashboard alike: the
 * median with its 95 % CI (limits as `medianInWords` names them) and each
 * landmark rate with its 95 % CI (SPEC §3).
 */
export const pfsFigureTexts = (analysis: PfsAnalysis): { readonly median: string; readonly rates: readonly string[] } => {
  const m = medianInWords(analysis.median, analysis.summary.n, curveEndsAtZero(analysis.km));
  return {
    median: `${m.estimate} (${CI_95} ${m.lower}–${m.upper})`,
    rates: analysis.rates.map((r) => `PFS at day ${r.day}: ${percentInWords(r.survival)} (${CI_95} ${percentInWords(r.lower)}–${percentInWords(r.upper)})`),
  };
};
