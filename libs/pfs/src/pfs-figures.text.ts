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
 * The median PFS and its CI limits in words: a null estimate or upper limit is "not reached" (NR) while
 * someone is in the analysis; with no subject at all nothing is estimable (`NO_SUBJECTS`, limits NE).
 */
export const medianInWords = (m: PfsAnalysis['median'], subjects: number): { readonly estimate: string; readonly lower: string; readonly upper: string } => {
  if (subjects === 0) return { estimate: NO_SUBJECTS, lower: 'NE', upper: 'NE' };
  return { estimate: m.estimate === null ? 'not reached' : `${m.estimate} days`, lower: m.lower === null ? 'NE' : String(m.lower), upper: m.upper === null ? 'NR' : String(m.upper) };
};

/**
 * The headline PFS figures in words, for the printable report and the viewer's dashboard alike: the
 * median with its 95 % CI (a limit the confidence curve never reaches is NR, the lower one NE) and each
 * landmark rate with its 95 % CI (SPEC §3).
 */
export const pfsFigureTexts = (analysis: PfsAnalysis): { readonly median: string; readonly rates: readonly string[] } => {
  const m = medianInWords(analysis.median, analysis.summary.n);
  return {
    median: `${m.estimate} (${CI_95} ${m.lower}–${m.upper})`,
    rates: analysis.rates.map((r) => `PFS at day ${r.day}: ${percentInWords(r.survival)} (${CI_95} ${percentInWords(r.lower)}–${percentInWords(r.upper)})`),
  };
};
