import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { trailTypeList, type AuditTrailFilter } from '@trial-ledger/audit';
import { IsDateOrInstant } from '../../shared/validation/is-date-or-instant.validator';
import { QueryInteger } from '../../shared/validation/field.decorators';

/** `?subject=&user=&from=&to=&type=&page=&pageSize=`: the audit trail's filters (all optional, combined with AND). */
export class AuditTrailFilterQueryDto {
  @ApiPropertyOptional({ description: 'Study id (e.g. LANR-HGNET-01).' })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: '$property must not be empty: leave it out for no filter' })
  @MaxLength(100)
  study?: string;

  @ApiPropertyOptional({ description: 'Subject id (e.g. S001): its stream, and study-stream events naming it.' })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: '$property must not be empty: leave it out for no filter' })
  @MaxLength(100)
  subject?: string;

  @ApiPropertyOptional({ description: 'User id or username of the person who recorded the event.' })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: '$property must not be empty: leave it out for no filter' })
  @MaxLength(200)
  user?: string;

  @ApiPropertyOptional({ description: 'Recorded at or after: ISO date (00:00 UTC) or date-time.', example: '2026-01-01' })
  @IsOptional()
  @IsDateOrInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Recorded at or before: ISO date (through 23:59:59.999 UTC) or date-time.', example: '2026-12-31' })
  @IsOptional()
  @IsDateOrInstant()
  to?: string;

  @ApiPropertyOptional({ description: 'Event type(s), comma-separated: EntryCorrected,EntryVoided. A type the ledger does not write is refused (400 AUDIT.UNKNOWN_EVENT_TYPE).' })
  @IsOptional()
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: '$property must be event type names separated by commas' })
  type?: string;
}

export class GetAuditTrailQueryDto extends AuditTrailFilterQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 1 })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(1)
  @Max(1000)
  pageSize?: number;
}

/** The filter the query names; an unknown event type in `type` is refused here (400 `AUDIT.UNKNOWN_EVENT_TYPE`), before anything is read or recorded. */
export const toTrailFilter = (q: AuditTrailFilterQueryDto): AuditTrailFilter => {
  if (q.type !== undefined) trailTypeList(q.type);
  return trailFilterOf(q);
};

const trailFilterOf = (q: AuditTrailFilterQueryDto): AuditTrailFilter => ({
  ...(q.study !== undefined ? { studyId: q.study } : {}),
  ...(q.subject !== undefined ? { subjectId: q.subject } : {}),
  ...(q.user !== undefined ? { user: q.user } : {}),
  ...(q.from !== undefined ? { from: q.from } : {}),
  ...(q.to !== undefined ? { to: q.to } : {}),
  ...(q.type !== undefined ? { type: q.type } : {}),
});
