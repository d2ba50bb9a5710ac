import type { PfsAnalysis } from './analyse-pfs';

/** A survival probability as a reader sees it: NE where R reports none (not estimable). */
const percent = (value: number | null): string => (value === null ? 'NE' : `${(value * 100).toFixed(1)} %`);

/**
 * The headline PFS figures in words, for the printable report and the viewer's dashboard alike: the
 * median with its 95 % CI (a limit the confidence curve never reaches is NR, the lower one NE) and each
 * landmark rate with its 95 % CI (SPEC §3).
 */
export const pfsFigureTexts = (analysis: PfsAnalysis): { readonly median: string; readonly rates: readonly string[] } => {
  const m = analysis.median;
  return {
    median: `${m.estimate === null ? 'not reached' : `${m.estimate} days`} (95 % CI ${m.lower ?? 'NE'}–${m.upper ?? 'NR'})`,
    rates: analysis.rates.map((r) => `PFS at day ${r.day}: ${percent(r.survival)} (95 % CI ${percent(r.lower)}–${percent(r.upper)})`),
  };
};
