import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, Matches } from 'class-validator';

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DATA_CUT = /^\d{4}-\d{2}-\d{2}@\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `?from=&to=&dataCut=2026-12-01@2026-12-02T08:00:00Z` (dataCut repeatable): the review window and the analyses' data cuts. */
export class ReviewAuditTrailQueryDto {
  @ApiPropertyOptional({ description: 'Only findings about events recorded at or after: ISO date (00:00 UTC) or date-time.', example: '2026-01-01' })
  @IsOptional()
  @Matches(INSTANT, { message: '$property must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Only findings about events recorded at or before: ISO date (through 23:59:59.999 UTC) or date-time.', example: '2026-12-31' })
  @IsOptional()
  @Matches(INSTANT, { message: '$property must be an ISO 8601 date or date-time' })
  to?: string;

  @ApiPropertyOptional({ type: [String], description: 'A data cut used by an analysis, CUTOFF@INSTANT (repeat the parameter for several).', example: ['2026-12-01@2026-12-02T08:00:00Z'] })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(DATA_CUT, { each: true, message: '$property must be CUTOFF@INSTANT, e.g. 2026-12-01@2026-12-02T08:00:00Z' })
  dataCut?: string[];
}
