import { HttpStatus, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiProblemException } from '../problem-details/api-problem.exception';
import { memoizeValidationMetadata } from './memoized-validation-metadata';

/** One failed rule on one field of the request body, addressed by JSON Pointer (RFC 6901) and dotted path. */
export interface FieldError {
  readonly pointer: string;
  readonly field: string;
  readonly constraint: string;
  readonly detail: string;
}

const NUMBER_TYPE_RULES: ReadonlySet<string> = new Set(['isInt', 'isNumber']);
const RANGE_RULES: ReadonlySet<string> = new Set(['min', 'max']);

/** Flattens class-validator's nested error tree (target lesions, protocol sections) into one list. */
export const flattenValidationErrors = (errors: readonly ValidationError[], parent: readonly string[] = []): FieldError[] =>
  errors.flatMap((error) => {
    const path = [...parent, error.property];
    const constraints = Object.entries(error.constraints ?? {});
    // A bound says nothing true of a value that is not a number at all ("abc" is not "less than 0").
    const notANumber = constraints.some(([constraint]) => NUMBER_TYPE_RULES.has(constraint));
    const own = constraints.filter(([constraint]) => !(notANumber && RANGE_RULES.has(constraint))).map(([constraint, detail]) => ({
      pointer: '/' + path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
      field: path.join('.'),
      constraint: constraint === 'whitelistValidation' ? 'unknownField' : constraint,
      detail,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });

/** One field error per query parameter the route does not take, worded as the DTO whitelist words it. */
export const unknownParameterErrors = (names: readonly string[]): ValidationError[] =>
  names.map((property) => ({ property, constraints: { whitelistValidation: `property ${property} should not exist` }, children: [] }));

/** Every validation failure as one `VALIDATION.FAILED` problem listing each field error. */
export const validationProblem = (errors: readonly ValidationError[]): ApiProblemException => {
  const fieldErrors = flattenValidationErrors(errors);
  const summary = fieldErrors.slice(0, 3).map((e) => e.detail).join('; ');
  return new ApiProblemException(
    'VALIDATION.FAILED',
    HttpStatus.BAD_REQUEST,
    `The request has ${fieldErrors.length} invalid field(s): ${summary}${fieldErrors.length > 3 ? '; …' : ''}`,
    { errors: fieldErrors },
  );
};

/**
 * The global pipe: strict DTOs (unknown fields refused, not silently dropped — an unnoticed typo in a
 * clinical field would otherwise record an incomplete fact) and every failure as one
 * `VALIDATION.FAILED` problem listing each field error.
 */
export const createRequestValidationPipe = (): ValidationPipe => {
  memoizeValidationMetadata();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // No implicit conversion: "120" is not a dose of 120 mg, and "true" is not a boolean.
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: validationProblem,
  });
};
