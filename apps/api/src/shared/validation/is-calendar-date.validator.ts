import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isIsoDate } from '@trial-ledger/domain';

/**
 * A clinical date (SPEC §2): `YYYY-MM-DD`, no time, no zone, and a real calendar date — `2026-02-30`
 * is refused here rather than silently rolled over into March by a `Date` parser.
 */
export const IsCalendarDate = (options?: ValidationOptions): PropertyDecorator =>
  (target: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be a real calendar date in YYYY-MM-DD form', ...options },
      validator: { validate: (value: unknown) => isIsoDate(value) },
    });
  };
