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

/**
 * Days since 1970-01-01 (proleptic Gregorian) for a valid ISO date. Plain arithmetic (H. Hinnant's
 * days_from_civil) rather than a Date per call: every fold of a subject computes its dose windows from
 * these, and the Date round trip was a tenth of a study replay's time.
 */
export const toEpochDay = (date: IsoDate): number => {
  const m = ISO_DATE.exec(date);
  if (!m || !isCalendarDate(date)) throw new RangeError(`Not an ISO date: ${date}`);
  const month = Number(m[2]);
  const year = Number(m[1]) - (month <= 2 ? 1 : 0);
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + Number(m[3]) - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
};

/** The ISO date of a day since 1970-01-01 (civil_from_days); years outside 0000–9999 as `Date` writes them. */
export const fromEpochDay = (day: number): IsoDate => {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const d = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(day * 86_400_000).toISOString().slice(0, 10);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${d < 10 ? '0' : ''}${d}`;
};

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
