/**
 * Clinical dates are calendar dates (`YYYY-MM-DD`) with no time zone (SPEC §2). Arithmetic on them
 * is done on whole days since 1970-01-01 so no clock, zone or DST can shift a study day.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Earliest year of any date the ledger records (birth years start at 1900 too): a year such as 0026 is
 * a typing error for 2026, not a date in antiquity, and must be refused rather than recorded.
 */
export const MIN_ISO_DATE_YEAR = 1900;

/** True for a real calendar date in `YYYY-MM-DD` form from 1900 on (2026-02-30 is not one). */
export const isIsoDate = (value: unknown): value is IsoDate => isCalendarDate(value) && Number(value.slice(0, 4)) >= MIN_ISO_DATE_YEAR;

/** Any real proleptic-Gregorian date; arithmetic accepts dates recorded before the 1900 floor existed. */
const isCalendarDate = (value: unknown): value is IsoDate => {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
};

const daysInMonth = (year: number, month: number): number =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days since 1970-01-01 (proleptic Gregorian) for a valid ISO date. */
export const toEpochDay = (date: IsoDate): number => {
  const m = ISO_DATE.exec(date);
  if (!m || !isCalendarDate(date)) throw new RangeError(`Not an ISO date: ${date}`);
  // Not Date.UTC(y, …): it reads years 0–99 as 1900–1999.
  const instant = new Date(0);
  instant.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Math.round(instant.getTime() / 86_400_000);
};

export const fromEpochDay = (day: number): IsoDate => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** `b − a` in days. */
export const daysBetween = (a: IsoDate, b: IsoDate): number => toEpochDay(b) - toEpochDay(a);

export const addDays = (date: IsoDate, days: number): IsoDate => fromEpochDay(toEpochDay(date) + days);

export const compareDates = (a: IsoDate, b: IsoDate): number => (a < b ? -1 : a > b ? 1 : 0);

/** The calendar date (UTC) of a recording instant such as `2026-03-01T10:00:00.000Z`. */
export const dateOfInstant = (instant: string): IsoDate => instant.slice(0, 10);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** True for an ISO 8601 instant with an explicit zone (`Z` or an offset). */
export const isIsoInstant = (value: unknown): value is string =>
  typeof value === 'string' && ISO_INSTANT.test(value) && isIsoDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value));
