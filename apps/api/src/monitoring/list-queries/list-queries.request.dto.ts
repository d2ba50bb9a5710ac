import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { SUBJECT_ID } from '@trial-ledger/domain';
import { MAX_QUERY_PAGE_SIZE, QUERY_PAGE_SIZE, QUERY_STATUSES, type QueryStatus } from '@trial-ledger/projections';
import { SUBJECT_ID_MESSAGE } from '../../shared/routing/path-params.dto';
import { QueryInteger } from '../../shared/validation/field.decorators';

/** Filters of the query list, and its page as the audit trail pages: `?status=&subject=&minAgeDays=&openedBy=&page=&pageSize=`. */
export class ListQueriesRequestDto {
  @ApiPropertyOptional({ enum: [...QUERY_STATUSES], description: '`closed` lists every closed query, `closed-modified` ones included; `closed-modified` only those.' })
  @IsOptional()
  @IsIn([...QUERY_STATUSES], { message: `$property must be one of: ${QUERY_STATUSES.join(', ')}` })
  status?: QueryStatus;

  @ApiPropertyOptional({ example: 'S001', pattern: SUBJECT_ID.source, maxLength: 64 })
  @IsOptional()
  @Matches(SUBJECT_ID, { message: SUBJECT_ID_MESSAGE })
  subject?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Only queries at least this many days old (age runs to the close, or to now while unresolved).' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(0)
  @Max(36_500)
  minAgeDays?: number;

  @ApiPropertyOptional({ description: 'Username of whoever opened it; `system` for automatic queries from detected deviations.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: '$property must be a username' })
  openedBy?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 1 })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_QUERY_PAGE_SIZE, default: QUERY_PAGE_SIZE })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_QUERY_PAGE_SIZE)
  pageSize?: number;
}
