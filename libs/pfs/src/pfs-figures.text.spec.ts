import { kaplanMeier, medianSurvival } from '@trial-ledger/survival';
import type { PfsAnalysis } from './analyse-pfs';
import { pfsFigureTexts } from './pfs-figures.text';

const analysisOf = (subjects: ReadonlyArray<{ aval: number; cnsr: number }>): PfsAnalysis => {
  const km = kaplanMeier(subjects.map((s) => ({ time: s.aval, event: s.cnsr === 0 })));
  return {
    studyId: 'LANR-HGNET-01',
    horizonDays: 365,
    cutoff: null,
    asKnownAt: null,
    subjects: subjects.map((s, i) => ({ subjectId: `S${i}`, startDate: '2026-01-05', adt: '2026-01-05', aval: s.aval, cnsr: s.cnsr, reason: '' })),
    summary: { n: subjects.length, events: subjects.filter((s) => s.cnsr === 0).length, censored: subjects.filter((s) => s.cnsr !== 0).length },
    km,
    median: medianSurvival(km),
    rates: [],
  };
};

describe('PFS headline figures in words', () => {
  it('given no subject in the analysis (a cutoff before the first enrollment), then the median is not estimable, not "not reached"', () => {
    expect(pfsFigureTexts(analysisOf([])).median).toBe('not estimable (no subjects) (95 % CI NE–NE)');
  });

  it('given subjects and a curve that stays above 0.5, then the median is not reached, with an upper limit NR', () => {
    expect(pfsFigureTexts(analysisOf([{ aval: 100, cnsr: 0 }, { aval: 200, cnsr: 4 }, { aval: 300, cnsr: 4 }])).median).toBe('not reached (95 % CI 100–NR)');
  });
});
