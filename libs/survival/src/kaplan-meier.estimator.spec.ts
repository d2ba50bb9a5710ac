import { DomainError } from '@trial-ledger/domain';
import { kaplanMeier, type SurvivalObservation } from './kaplan-meier.estimator';

const obs = (pairs: readonly [number, 0 | 1][]): SurvivalObservation[] =>
  pairs.map(([time, status]) => ({ time, event: status === 1 }));

const codeOf = (act: () => unknown): string | undefined => {
  try {
    act();
  } catch (error) {
    return error instanceof DomainError ? error.code : `not a DomainError: ${String(error)}`;
  }
  return undefined;
};

describe('kaplanMeier', () => {
  // Five subjects: events on days 1, 2, 3, 4 and a censoring tied with the day-2 event.
  const fiveSubjects = obs([
    [1, 1],
    [2, 1],
    [2, 0],
    [3, 1],
    [4, 1],
  ]);

  it('multiplies (n − d) / n over the event times, counting same-day censorings as at risk', () => {
    // when
    const km = kaplanMeier(fiveSubjects);
    // then: 4/5, 4/5·3/4, ·1/2 (n = 2 after the day-2 censoring), ·0/1
    expect(km.map(({ time, nRisk, nEvent, nCensor }) => [time, nRisk, nEvent, nCensor])).toEqual([
      [1, 5, 1, 0],
      [2, 4, 1, 1],
      [3, 2, 1, 0],
      [4, 1, 1, 0],
    ]);
    expect(km.map((row) => row.survival)).toEqual([0.8, 0.6000000000000001, 0.30000000000000004, 0]);
  });

  it('gives the Greenwood standard error of S and the log-log interval worked by hand', () => {
    const [first, second] = kaplanMeier(fiveSubjects);
    // Greenwood at day 1: 0.8 · sqrt(1 / (5 · 4))
    expect(first.stdErr).toBeCloseTo(0.8 * Math.sqrt(1 / 20), 12);
    // day 2: 0.6 · sqrt(1/20 + 1/(4 · 3))
    expect(second.stdErr).toBeCloseTo(0.6 * Math.sqrt(1 / 20 + 1 / 12), 12);
    // log-log at day 1: exp(−exp(log(−log 0.8) ∓ 1.959964 · 0.2236068 / log 0.8)); R prints
    // 0.2038093 and 0.9691798 for it.
    expect(first.lower).toBeCloseTo(0.2038093, 7);
    expect(first.upper).toBeCloseTo(0.9691798, 7);
  });

  it('leaves std.err and CI null once S reaches 0 (R: NaN and NA)', () => {
    const last = kaplanMeier(fiveSubjects)[3];
    expect(last).toMatchObject({ survival: 0, stdErr: null, lower: null, upper: null });
  });

  it('reports S = 1 with std.err 0 and no CI while nothing has happened yet', () => {
    const km = kaplanMeier(
      obs([
        [10, 0],
        [20, 1],
        [30, 0],
      ]),
    );
    expect(km[0]).toEqual({ time: 10, nRisk: 3, nEvent: 0, nCensor: 1, survival: 1, stdErr: 0, lower: null, upper: null });
    expect(km[1].survival).toBe(0.5);
    expect(km[2]).toMatchObject({ survival: 0.5, nRisk: 1, nCensor: 1 });
  });

  it('does not depend on the order of the observations', () => {
    const shuffled = [fiveSubjects[3], fiveSubjects[0], fiveSubjects[4], fiveSubjects[2], fiveSubjects[1]];
    expect(kaplanMeier(shuffled)).toEqual(kaplanMeier(fiveSubjects));
  });

  it('widens the interval with the confidence level', () => {
    const at90 = kaplanMeier(fiveSubjects, { confLevel: 0.9 })[1];
    const at99 = kaplanMeier(fiveSubjects, { confLevel: 0.99 })[1];
    expect(at99.lower!).toBeLessThan(at90.lower!);
    expect(at99.upper!).toBeGreaterThan(at90.upper!);
    expect(at90.survival).toBe(at99.survival);
  });

  it('gives an empty curve for an empty sample (a study with no subjects yet)', () => {
    expect(kaplanMeier([])).toEqual([]);
  });

  it.each([
    ['a negative time', obs([[-1, 1]]), 'SURVIVAL.INVALID_TIME'],
    ['a NaN time', [{ time: Number.NaN, event: true }], 'SURVIVAL.INVALID_TIME'],
    ['an infinite time', [{ time: Number.POSITIVE_INFINITY, event: false }], 'SURVIVAL.INVALID_TIME'],
    ['a non-boolean event', [{ time: 3, event: 1 as unknown as boolean }], 'SURVIVAL.INVALID_EVENT'],
  ])('refuses %s', (_what, observations, code) => {
    expect(codeOf(() => kaplanMeier(observations))).toBe(code);
  });

  it.each([0, 1, 1.5, Number.NaN])('refuses confidence level %p', (confLevel) => {
    expect(codeOf(() => kaplanMeier(fiveSubjects, { confLevel }))).toBe('SURVIVAL.INVALID_CONF_LEVEL');
  });
});
