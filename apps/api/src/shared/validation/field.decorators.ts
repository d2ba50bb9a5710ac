import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PAYLOAD_NUMBER_BOUNDS, PAYLOAD_TEXT_MAX_LENGTH, type BoundedNumberField, type BoundedTextField, type NumberBounds } from '@trial-ledger/domain';
import { IsCalendarDate } from './is-calendar-date.validator';

/**
 * Field decorators for request DTOs: each pairs the class-validator rule with its OpenAPI schema so
 * the documented contract and the enforced one cannot drift. All are strict — no coercion of "3" to 3.
 */
type FieldDecorator = ReturnType<typeof applyDecorators>;

export const ClinicalDate = (description: string, example = '2026-03-02'): FieldDecorator =>
  applyDecorators(IsCalendarDate(), ApiProperty({ type: String, format: 'date', description, example }));

/** Free text that must say something: not empty, not only blanks, and bounded. */
export const Text = (description: string, maxLength = 500, example?: string): FieldDecorator =>
  applyDecorators(
    IsString(),
    Matches(/\S/, { message: '$property must not be empty' }),
    MaxLength(maxLength),
    ApiProperty({ type: String, description, maxLength, example }),
  );

export const IntegerIn = (min: number, max: number, description: string, example?: number): FieldDecorator =>
  applyDecorators(IsInt(), Min(min), Max(max), ApiProperty({ type: 'integer', minimum: min, maximum: max, description, example }));

export const NumberIn = (min: number, max: number, description: string, example?: number): FieldDecorator =>
  applyDecorators(IsNumber({ allowNaN: false, allowInfinity: false }), Min(min), Max(max), ApiProperty({ type: Number, minimum: min, maximum: max, description, example }));

export const OneOf = <T extends string>(values: readonly T[], description: string): FieldDecorator =>
  applyDecorators(IsIn([...values], { message: `$property must be one of: ${values.join(', ')}` }), ApiProperty({ enum: [...values], description }));

export const Flag = (description: string): FieldDecorator => applyDecorators(IsBoolean(), ApiProperty({ type: Boolean, description }));

/**
 * A numeric field of a subject command. Its bounds are the domain's (`PAYLOAD_NUMBER_BOUNDS`): the
 * DTO checks the type and documents the range; the decider enforces it, so the API, the CLI and
 * `import` refuse the same value with the same code (`VALIDATION.OUT_OF_RANGE`).
 */
export const PayloadNumber = (field: BoundedNumberField, description: string, example?: number): FieldDecorator => {
  const bounds: NumberBounds = PAYLOAD_NUMBER_BOUNDS[field];
  return applyDecorators(
    bounds.integer ? IsInt() : IsNumber({ allowNaN: false, allowInfinity: false }),
    ApiProperty({ type: bounds.integer ? 'integer' : 'number', minimum: bounds.min, exclusiveMinimum: bounds.minExclusive === true, maximum: bounds.max, description, example }),
  );
};

/**
 * A text field of a subject command: not blank here; its length bound is the domain's
 * (`PAYLOAD_TEXT_MAX_LENGTH`), documented here and enforced by the decider (`VALIDATION.TOO_LONG`).
 */
export const PayloadText = (field: BoundedTextField, description: string, example?: string): FieldDecorator => {
  const maxLength: number = PAYLOAD_TEXT_MAX_LENGTH[field];
  return applyDecorators(IsString(), Matches(/\S/, { message: '$property must not be empty' }), ApiProperty({ type: String, description, maxLength, example }));
};

/** Decimal digits, with a minus so that a negative value meets its `Min` rule rather than a type error. */
const DECIMAL_INTEGER = /^-?[0-9]{1,20}$/;

/**
 * A whole number as typed in a query string (`?position=`, `?limit=`, `?page=`, …), read only when
 * it is written in decimal digits. `Number()` (class-transformer's `@Type(() => Number)`) would read
 * `0x10` as 16, `1e3` as 1000, ` 7` as 7 and a field left blank as 0 — a replay "as of position 0"
 * the caller never asked for; any such spelling stays text, which `IsInt` refuses. So does a number
 * past 2^53, which `Number()` would round to another (`9007199254740993` → `…992`).
 */
export const QueryInteger = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_INTEGER.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value));
