import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { IsCalendarDate } from '../../shared/validation/is-calendar-date.validator';
import { QueryInteger } from '../../shared/validation/field.decorators';

/**
 * `?fromKnownAt=&toKnownAt=&fromPosition=&toPosition=&cutoff=&fromCutoff=&toCutoff=`: the two PFS
 * analyses to compare. Which combinations make sense is checked by `diffPfs` (PFS_DIFF.INVALID_OPTIONS).
 */
export class PfsDiffQueryDto {
  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-12-01T12:00:00Z', description: 'First analysis: as the ledger knew it at this recording instant.' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  fromKnownAt?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Second analysis: as known at this instant (default: now).' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  toKnownAt?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'First analysis: through this log position.' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(0)
  fromPosition?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Second analysis: through this log position (default: the head).' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(0)
  toPosition?: number;

  @ApiPropertyOptional({ type: String, format: 'date', description: 'One clinical data cutoff for both analyses.' })
  @IsOptional()
  @IsCalendarDate()
  cutoff?: string;

  @ApiPropertyOptional({ type: String, format: 'date', description: 'Data cutoff of the first analysis (two data cuts).' })
  @IsOptional()
  @IsCalendarDate()
  fromCutoff?: string;

  @ApiPropertyOptional({ type: String, format: 'date', description: 'Data cutoff of the second analysis.' })
  @IsOptional()
  @IsCalendarDate()
  toCutoff?: string;
}
