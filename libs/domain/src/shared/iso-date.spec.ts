import { addDays, daysBetween, fromEpochDay, isIsoDate, toEpochDay } from './iso-date';

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

describe('day arithmetic without a Date per call', () => {
  it('agrees with the UTC calendar of Date on every day of 1899–2101 and every 97th day of 0000–9999 (leap centuries included)', () => {
    const mismatches: number[] = [];
    const days = (from: string, to: string, step: number): number[] =>
      Array.from({ length: Math.floor((toEpochDay(to) - toEpochDay(from)) / step) + 1 }, (_, i) => toEpochDay(from) + i * step);
    for (const day of [...days('1899-01-01', '2101-12-31', 1), ...days('0000-01-01', '9999-12-31', 97)]) {
      const expected = new Date(day * 86_400_000).toISOString().slice(0, 10);
      if (fromEpochDay(day) !== expected || toEpochDay(expected) !== day) mismatches.push(day);
    }
    expect(mismatches).toEqual([]);
    expect(toEpochDay('1970-01-01')).toBe(0);
    expect(addDays('1900-02-28', 1)).toBe('1900-03-01');
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29');
    expect(fromEpochDay(-719_529)).toBe(new Date(-719_529 * 86_400_000).toISOString().slice(0, 10));
  });
});
