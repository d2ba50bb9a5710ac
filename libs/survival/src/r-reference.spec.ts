import reference from './fixtures/km-reference.json';
import { kaplanMeier, type KaplanMeierRow } from './kaplan-meier.estimator';
import { medianSurvival } from './median-survival.estimator';
import { normalQuantile } from './normal-quantile';
import { survivalAt } from './survival-at.estimator';

/**
 * Every figure below comes from R survival (see scripts/r/km-fixtures.R, which wrote the JSON);
 * R is not needed to run this suite. SPEC §3: survival, std.err and the CI agree to 1e-6 at every
 * time; the median and its CI are identical.
 */
const TOLERANCE = 1e-6;

interface ReferenceDay {
  day: number;
  reported: boolean;
  survival: number | null;
  lower: number | null;
  upper: number | null;
}

interface ReferenceFixture {
  name: string;
  description: string;
  confLevel: number;
  input: { time: number[]; status: number[] };
  km: KaplanMeierRow[];
  median: { estimate: number | null; lower: number | null; upper: number | null };
  rates: ReferenceDay[];
  probes: ReferenceDay[];
}

const fixtures = reference.fixtures as unknown as ReferenceFixture[];

/** Null (R's NA/NaN) must stay null; numbers must agree to the SPEC's tolerance. */
const expectClose = (actual: number | null, expected: number | null, what: string): void => {
  if (expected === null) {
    expect({ what, actual }).toEqual({ what, actual: null });
    return;
  }
  expect({ what, isNumber: typeof actual === 'number' }).toEqual({ what, isNumber: true });
  expect({ what, diff: Math.abs((actual as number) - expected) <= TOLERANCE, actual, expected }).toEqual({
    what,
    diff: true,
    actual,
    expected,
  });
};

const fit = (fixture: ReferenceFixture) =>
  kaplanMeier(
    fixture.input.time.map((time, i) => ({ time, event: fixture.input.status[i] === 1 })),
    { confLevel: fixture.confLevel },
  );

describe('Kaplan–Meier against R survival reference fixtures', () => {
  it('covers at least 20 reference data sets from R survival', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
    expect(reference.call).toContain('conf.type = "log-log"');
  });

  describe.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
    it('gives one row per distinct time with the same risk set, events and censorings', () => {
      // given the fixture's input; when fitted
      const km = fit(fixture);
      // then the table's counts are R's exactly
      expect(km.map(({ time, nRisk, nEvent, nCensor }) => ({ time, nRisk, nEvent, nCensor }))).toEqual(
        fixture.km.map(({ time, nRisk, nEvent, nCensor }) => ({ time, nRisk, nEvent, nCensor })),
      );
    });

    it('matches survival, std.err and the log-log CI at every time to 1e-6', () => {
      const km = fit(fixture);
      fixture.km.forEach((expected, i) => {
        const actual = km[i];
        expectClose(actual.survival, expected.survival, `survival at ${expected.time}`);
        expectClose(actual.stdErr, expected.stdErr, `stdErr at ${expected.time}`);
        expectClose(actual.lower, expected.lower, `lower at ${expected.time}`);
        expectClose(actual.upper, expected.upper, `upper at ${expected.time}`);
      });
    });

    it('reports the median and its CI exactly as print(fit) does', () => {
      expect(medianSurvival(fit(fixture))).toEqual(fixture.median);
    });

    it('reports the 182- and 365-day rates and every probe day as summary(fit, times =) does', () => {
      const km = fit(fixture);
      for (const expected of [...fixture.rates, ...fixture.probes]) {
        const actual = survivalAt(km, expected.day);
        expect(actual.day).toBe(expected.day);
        // R reports nothing past the last time (extend = FALSE): the library answers null there.
        if (!expected.reported) {
          expect(actual).toEqual({ day: expected.day, survival: null, lower: null, upper: null });
          continue;
        }
        expectClose(actual.survival, expected.survival, `survival on day ${expected.day}`);
        expectClose(actual.lower, expected.lower, `lower on day ${expected.day}`);
        expectClose(actual.upper, expected.upper, `upper on day ${expected.day}`);
      }
    });
  });

  it('computes the normal quantile (the CI multiplier) as R qnorm does', () => {
    for (const { p, q } of reference.normalQuantiles) {
      expect(Math.abs(normalQuantile(p) - q)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(q)));
    }
  });
});
