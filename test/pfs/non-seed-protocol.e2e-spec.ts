import { addDays, loadDefaultProtocol, type ProtocolDocument } from '@trial-ledger/domain';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { analysePfs, pfsFigureTexts } from '@trial-ledger/pfs';
import { testing } from '@trial-ledger/projections';

const STUDY = 'OCTR-GEPNET-02';

/**
 * A protocol that is not the seed's: scans every 56 ± 5 days (two missed assessments: more than
 * 2 × 56 + 5 = 117 days), a horizon of 540 days and landmark rates at 180, 360 and 540 days. Under the
 * seed's 84 ± 7 days and 365-day horizon, S02, S04 and S05 would read otherwise.
 */
const protocol = (): ProtocolDocument => {
  const seed = loadDefaultProtocol();
  return {
    ...seed,
    studyId: STUDY,
    title: 'Octreotide LAR in advanced gastro-entero-pancreatic NET',
    targetEnrollment: 12,
    treatment: { ...seed.treatment, drug: 'octreotide LAR', doseMg: 30, route: 'im', intervalDays: 21, windowDays: 2, firstDose: { fromDay: 0, toDay: 3 } },
    assessments: { ...seed.assessments, baselineWindowDays: 21, intervalDays: 56, windowDays: 5 },
    endpoint: { ...seed.endpoint, horizonDays: 540, rateDays: [180, 360, 540] },
    eligibility: { ...seed.eligibility, minAge: 21, primarySites: ['pancreas', 'ileum', 'rectum'], whoGrades: [1, 2, 3], maxKi67Percent: 55 },
  };
};

describe('PFS of a study whose protocol is not the seed protocol (thresholds, horizon and landmarks from its document)', () => {
  it('derives every row with 117 days for two missed assessments and a 540-day horizon, and the Kaplan–Meier figures are R’s', async () => {
    // given: enrollment every week from 2025-01-06; study day n of subject i is addDays(start, n - 1)
    const ledger = new testing.LedgerScenario(STUDY, { now: '2026-11-30T00:00:00.000Z' });
    ledger.registerStudy(protocol());
    const enrolled = (i: number) => {
      const start = addDays('2025-01-06', 7 * (i - 1));
      const s = ledger.subject(`S0${i}`);
      s.screen(addDays(start, -10));
      s.confirmEligibility(addDays(start, -9));
      s.baseline(addDays(start, -7), { diameters: [40, 20] });
      s.enrol(start);
      return { s, day: (n: number) => addDays(start, n - 1) };
    };
    // S01: SOD 60 → 66 (SD against the baseline nadir) → 72 (+20 %, +12 mm): PD on day 113
    const s1 = enrolled(1);
    s1.s.followUp(s1.day(57), { diameters: [44, 22] });
    s1.s.followUp(s1.day(113), { diameters: [48, 24] });
    // S02: NE, NE, then PD on day 169 — 168 days after the start, more than 117: censored at the start
    const s2 = enrolled(2);
    s2.s.followUp(s2.day(57), { diameters: [null, 20] });
    s2.s.followUp(s2.day(113), { diameters: [40, null] });
    s2.s.followUp(s2.day(169), { diameters: [60, 30] });
    // S03: SD on day 57, death exactly 117 days later (day 174): an event
    const s3 = enrolled(3);
    s3.s.followUp(s3.day(57), { diameters: [40, 20] });
    s3.s.die(s3.day(174));
    // S04: SD on day 57, death 118 days later (day 175): two missed assessments, censored on day 57
    const s4 = enrolled(4);
    s4.s.followUp(s4.day(57), { diameters: [40, 20] });
    s4.s.die(s4.day(175));
    // S05: SD every 56 days to day 505, PD on day 561 — past the 540-day horizon, disregarded
    const s5 = enrolled(5);
    for (let k = 1; k <= 9; k++) s5.s.followUp(s5.day(56 * k + 1), { diameters: [40, 20] });
    s5.s.followUp(s5.day(561), { diameters: [60, 30] });
    // S06: death on day 61 without any scan after the baseline: an event
    const s6 = enrolled(6);
    s6.s.die(s6.day(61));
    // S07: SD on days 57 and 113, new anticancer therapy on day 120, PD on day 169: censored on day 113
    const s7 = enrolled(7);
    s7.s.followUp(s7.day(57), { diameters: [40, 20] });
    s7.s.followUp(s7.day(113), { diameters: [40, 20] });
    s7.s.newTherapy(s7.day(120));
    s7.s.followUp(s7.day(169), { diameters: [60, 30] });
    // S08: SD on days 57, 113 and 169, alive
    const s8 = enrolled(8);
    for (const n of [57, 113, 169]) s8.s.followUp(s8.day(n), { diameters: [40, 20] });
    const store = new SqliteEventStore(':memory:');
    await ledger.appendTo(store);

    // when
    const analysis = await analysePfs(store, STUDY);
    await store.close();

    // then: the rows
    expect(analysis.horizonDays).toBe(540);
    expect(analysis.subjects.map((r) => [r.subjectId, r.aval, r.cnsr])).toEqual([
      ['S01', 113, 0],
      ['S02', 1, 3],
      ['S03', 174, 0],
      ['S04', 57, 3],
      ['S05', 505, 4],
      ['S06', 61, 0],
      ['S07', 113, 2],
      ['S08', 169, 4],
    ]);
    // and the figures of test/pfs/r/non-seed-protocol-reference.R (R 4.2.2, survival 3.5.3), to 1e-6
    const close = (value: number | null, expected: number | null) => (expected === null ? expect(value).toBeNull() : expect(value).toBeCloseTo(expected, 6));
    const r = [
      [1, 1, 0, null, null],
      [57, 1, 0, null, null],
      [61, 0.8333333333, 0.1521451549, 0.27312284993, 0.9747124267],
      [113, 0.6666666667, 0.1924500897, 0.19461663681, 0.9044341643],
      [169, 0.6666666667, 0.1924500897, 0.19461663681, 0.9044341643],
      [174, 0.3333333333, 0.2545875386, 0.01368487751, 0.7548440446],
      [505, 0.3333333333, 0.2545875386, 0.01368487751, 0.7548440446],
    ] as const;
    expect(analysis.km.map((row) => row.time)).toEqual(r.map(([time]) => time));
    analysis.km.forEach((row, i) => {
      close(row.survival, r[i][1]);
      close(row.stdErr, r[i][2]);
      close(row.lower, r[i][3]);
      close(row.upper, r[i][4]);
    });
    expect(analysis.median).toEqual({ estimate: 174, lower: 61, upper: null });
    expect(analysis.rates.map((x) => x.day)).toEqual([180, 360, 540]);
    for (const i of [0, 1]) {
      close(analysis.rates[i].survival, 0.3333333333);
      close(analysis.rates[i].lower, 0.01368487751);
      close(analysis.rates[i].upper, 0.7548440446);
    }
    expect(analysis.rates[2]).toEqual({ day: 540, survival: null, lower: null, upper: null });
    expect(pfsFigureTexts(analysis).median).toBe('174 days (95 % CI 61–NR)');
  });
});
