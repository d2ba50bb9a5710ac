import { medianInWords } from '@trial-ledger/pfs';
import { describePfs } from './demo.command';

/** The demo's closing PFS line words the median's CI limits as `pfs`, the report and the viewer do. */
describe('demo summary: PFS median wording', () => {
  const pfs = {
    n: 28,
    events: 9,
    censored: 19,
    byReason: {},
    median: { estimate: 301, lower: 253, upper: null },
    curveEndsAtZero: false,
    rates: [{ day: 365, survival: 0.41, lower: 0.2, upper: null }],
  };

  it('given an upper CI limit never reached, then it reads NR, as pfs prints it', () => {
    const m = medianInWords(pfs.median, pfs.n, pfs.curveEndsAtZero);
    expect(m.upper).toBe('NR');
    expect(describePfs(pfs)).toContain('median 301 days (95 % CI 253–NR)');
  });

  it('given no subject in the analysis, then the median and its limits are NE, not "not reached"', () => {
    const empty = { ...pfs, n: 0, events: 0, censored: 0, median: { estimate: null, lower: null, upper: null }, rates: [] };
    expect(describePfs(empty)).toContain('median not estimable (no subjects) (95 % CI NE–NE)');
  });

  it('given a curve that falls to 0 (every subject progressed), then an upper limit R reports as NA reads NE, not NR', () => {
    expect(describePfs({ ...pfs, censored: 0, events: 28, curveEndsAtZero: true })).toContain('median 301 days (95 % CI 253–NE)');
  });
});
