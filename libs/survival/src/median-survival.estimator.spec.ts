import { kaplanMeier, type KaplanMeierRow } from './kaplan-meier.estimator';
import { medianSurvival } from './median-survival.estimator';

const events = (times: readonly number[], status: readonly (0 | 1)[]) =>
  kaplanMeier(times.map((time, i) => ({ time, event: status[i] === 1 })));

/** A hand-made curve, to put values right at R's tolerance. */
const curve = (points: readonly [number, number][]): KaplanMeierRow[] =>
  points.map(([time, survival]) => ({
    time,
    nRisk: 1,
    nEvent: 1,
    nCensor: 0,
    survival,
    stdErr: null,
    lower: null,
    upper: null,
  }));

describe('medianSurvival', () => {
  it('takes the first time S falls below 0.5', () => {
    // S: 0.8, 0.6, 0.4, 0.2, 0 → median 30
    expect(medianSurvival(events([10, 20, 30, 40, 50], [1, 1, 1, 1, 1])).estimate).toBe(30);
  });

  it('takes the midpoint of the interval where S sits exactly at 0.5', () => {
    // S: 0.75, 0.5 over [200, 300), 0.25, 0 → R prints 250
    expect(medianSurvival(events([100, 200, 300, 400], [1, 1, 1, 1])).estimate).toBe(250);
  });

  it('ignores a censoring inside the flat 0.5 interval: the midpoint runs to the next drop', () => {
    expect(medianSurvival(events([100, 200, 250, 300], [1, 1, 0, 1])).estimate).toBe(250);
  });

  it('takes the time S reached 0.5 when the curve never drops below it', () => {
    expect(medianSurvival(events([100, 200, 300, 400], [1, 1, 0, 0])).estimate).toBe(200);
  });

  it('treats a value within sqrt(machine epsilon) of 0.5 as 0.5, as R does', () => {
    expect(medianSurvival(curve([[10, 0.5 + 1e-9], [20, 0.3]])).estimate).toBe(15);
    expect(medianSurvival(curve([[10, 0.5 + 1e-7], [20, 0.3]])).estimate).toBe(20);
  });

  it('is null when S never reaches 0.5, though the lower limit may be reached; and for an empty curve', () => {
    // S = 2/3 after day 10 but its lower limit is far below 0.5 (R: median NA, 0.95LCL 10, 0.95UCL NA)
    expect(medianSurvival(events([10, 20, 30], [1, 0, 0]))).toEqual({ estimate: null, lower: 10, upper: null });
    expect(medianSurvival([])).toEqual({ estimate: null, lower: null, upper: null });
  });

  it('reads the CI off the lower and upper curves, skipping points where they are not estimable', () => {
    // S: 0.75, 0.5, 0.25, 0; R: lower 0.1279, 0.0578, 0.0089, NA and upper 0.9605, 0.8449, 0.6653, NA
    const median = medianSurvival(events([100, 200, 300, 400], [1, 1, 1, 1]));
    expect(median).toEqual({ estimate: 250, lower: 100, upper: null });
  });
});
