import { daysBetween, isIsoDate, toEpochDay } from './iso-date';

describe('ISO clinical dates', () => {
  it.each(['2024-02-29', '2026-01-05', '1900-01-01', '9999-12-31'])('accepts the real calendar date %s', (date) => {
    expect(isIsoDate(date)).toBe(true);
  });

  it.each(['2023-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '0000-01-01', '0026-01-05', '1899-12-31', '2026-1-5', ' 2026-01-05'])(
    'refuses %j: not a real date, or a year before 1900 (a typing error, not a clinical date)',
    (date) => {
      expect(isIsoDate(date)).toBe(false);
    },
  );

  it('counts days exactly, also across the year-100 boundary Date.UTC gets wrong for already-recorded dates', () => {
    expect(toEpochDay('1970-01-01')).toBe(0);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('0026-01-05', '2026-01-05')).toBe(730_485);
    expect(toEpochDay('0026-01-05')).not.toBe(toEpochDay('1926-01-05'));
  });
});
