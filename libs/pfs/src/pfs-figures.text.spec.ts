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

  // R 4.2.2 / survival 3.5.3, print(survfit(Surv(aval, cnsr == 0) ~ 1, conf.type = "log-log")):
  //   one event on day 10: median 10, 0.95LCL NA, 0.95UCL NA (the CI at S = 0 is NA, and R drops NA points);
  //   events on days 10 and 20: median 15, 0.95LCL 10, 0.95UCL NA.
  it('given one subject with one event (R: median 10, both limits NA), then both limits are NE, not "NE–NR"', () => {
    expect(pfsFigureTexts(analysisOf([{ aval: 10, cnsr: 0 }])).median).toBe('10 days (95 % CI NE–NE)');
  });

  it('given every subject progressed (the curve falls to 0; R: median 15, upper NA), then the upper limit is NE: it is not estimable, not "not reached"', () => {
    expect(pfsFigureTexts(analysisOf([{ aval: 10, cnsr: 0 }, { aval: 20, cnsr: 0 }])).median).toBe('15 days (95 % CI 10–NE)');
  });

  it('given follow-up that ends with subjects at risk (R: median 85, lower 85, upper NA), then the upper limit is NR', () => {
    expect(pfsFigureTexts(analysisOf([{ aval: 85, cnsr: 0 }, { aval: 253, cnsr: 4 }])).median).toBe('85 days (95 % CI 85–NR)');
  });
});

