import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../../shared/validation/is-calendar-date.validator';

/** `?cutoff=2026-12-31&asKnownAt=2027-01-15T00:00:00Z`: the analysis at a clinical data cutoff, as the ledger knew it. */
export class PfsQueryDto {
  @ApiPropertyOptional({ type: String, format: 'date', example: '2026-12-31', description: 'Clinical data cutoff: everything dated after it is disregarded.' })
  @IsOptional()
  @IsCalendarDate()
  cutoff?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2027-01-15T00:00:00Z', description: 'Recording instant: the analysis as the ledger knew it then.' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  asKnownAt?: string;
}
