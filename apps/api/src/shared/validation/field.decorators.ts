import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
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
