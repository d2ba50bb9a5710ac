import { validateSync } from 'class-validator';
import { IsCalendarDate } from './is-calendar-date.validator';
import { flattenValidationErrors } from './request-validation.pipe';

class Visit {
  @IsCalendarDate()
  date!: unknown;
}

const errorsFor = (date: unknown) => {
  const visit = new Visit();
  visit.date = date;
  return flattenValidationErrors(validateSync(visit));
};

describe('@IsCalendarDate(): clinical dates are real YYYY-MM-DD calendar dates', () => {
  it.each(['2026-03-06', '2024-02-29', '2000-02-29', '1999-12-31'])('accepts %s', (date) => {
    expect(errorsFor(date)).toEqual([]);
  });

  it.each(['2026-02-30', '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-3-6', '2026-03-06T00:00:00Z', '06/03/2026', '', 20260306, null])(
    'refuses %p with the isCalendarDate constraint',
    (date) => {
      expect(errorsFor(date)).toEqual([{ pointer: '/date', field: 'date', constraint: 'isCalendarDate', detail: 'date must be a real calendar date in YYYY-MM-DD form' }]);
    },
  );
});
