import { DomainError } from '@trial-ledger/domain';
import { kaplanMeier } from './kaplan-meier.estimator';
import { survivalAt } from './survival-at.estimator';

describe('survivalAt', () => {
  // S: 1 (censored day 50), 2/3 on day 200, 1/3 on day 300, carried to the last censoring on day 400
  const km = kaplanMeier([
    { time: 50, event: false },
    { time: 200, event: true },
    { time: 300, event: true },
    { time: 400, event: false },
  ]);

  it('gives 1 with a 1–1 interval before the first observed time (R inserts an origin row)', () => {
    expect(survivalAt(km, 10)).toEqual({ day: 10, survival: 1, lower: 1, upper: 1 });
  });

  it('carries the step function forward between times', () => {
    const at = survivalAt(km, 250);
    expect(at.survival).toBeCloseTo(2 / 3, 15);
    expect(at.lower).toBe(km[1].lower);
    expect(at.upper).toBe(km[1].upper);
  });

  it('keeps the no-CI S = 1 row after a censoring that precedes any event', () => {
    expect(survivalAt(km, 60)).toEqual({ day: 60, survival: 1, lower: null, upper: null });
  });

  it('answers up to the last observed time, even a censored one', () => {
    expect(survivalAt(km, 400).survival).toBeCloseTo(1 / 3, 15);
  });

  it('answers null past the last observed time, where R reports nothing without extend = TRUE', () => {
    expect(survivalAt(km, 400.5)).toEqual({ day: 400.5, survival: null, lower: null, upper: null });
    expect(survivalAt([], 182)).toEqual({ day: 182, survival: null, lower: null, upper: null });
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses landmark day %p', (day) => {
    expect(() => survivalAt(km, day)).toThrow(DomainError);
    expect(() => survivalAt(km, day)).toThrow(expect.objectContaining({ code: 'SURVIVAL.INVALID_DAY' }));
  });
});
