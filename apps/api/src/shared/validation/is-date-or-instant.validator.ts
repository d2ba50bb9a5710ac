import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isIsoDate, isIsoInstant } from '@trial-ledger/domain';

/**
 * A query bound such as `?from=`: a real calendar date (`2026-02-30` is refused, not rolled over into
 * March) or an ISO 8601 instant with its zone (`2026-04-31T10:00:00Z` is refused likewise).
 */
export const IsDateOrInstant = (options?: ValidationOptions): PropertyDecorator =>
  (target: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'isDateOrInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be a real calendar date YYYY-MM-DD or an ISO 8601 date-time with a zone', ...options },
      validator: { validate: (value: unknown) => isIsoDate(value) || isIsoInstant(value) },
    });
  };
