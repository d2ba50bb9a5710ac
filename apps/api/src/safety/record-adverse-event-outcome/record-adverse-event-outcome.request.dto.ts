import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches, ValidateIf } from 'class-validator';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from '@trial-ledger/command-pipeline';
import { AE_OUTCOMES, type AdverseEventOutcome } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { IsCalendarDate } from '../../shared/validation/is-calendar-date.validator';
import { OneOf } from '../../shared/validation/field.decorators';
import { NotTogetherWith } from '../../shared/validation/not-together-with.validator';

/**
 * `RecordAdverseEventOutcome`: the outcome of a reported adverse event (CDISC SDTM AEOUT) and, once it has
 * ended, its end date (AEENDTC). A later outcome supersedes an earlier one.
 */
export class RecordAdverseEventOutcomeRequestDto extends CommandRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Event id of the AdverseEventReported entry, as answered when it was reported (or give adverseEventIdempotencyKey).' })
  @ValidateIf((dto: RecordAdverseEventOutcomeRequestDto) => dto.adverseEventId !== undefined || dto.adverseEventIdempotencyKey === undefined)
  @IsUUID('all', { message: 'adverseEventId must be an event id (UUID) unless adverseEventIdempotencyKey names the adverse event' })
  @NotTogetherWith('adverseEventIdempotencyKey')
  adverseEventId?: string;

  @ApiPropertyOptional({ description: 'The idempotency key of the ReportAdverseEvent command that reported the adverse event.' })
  @ValidateIf((dto: RecordAdverseEventOutcomeRequestDto) => dto.adverseEventIdempotencyKey !== undefined)
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: `adverseEventIdempotencyKey must be ${IDEMPOTENCY_KEY_RULE}` })
  adverseEventIdempotencyKey?: string;

  @OneOf(
    AE_OUTCOMES,
    'Outcome per the CDISC SDTM AEOUT codelist: recovered (RECOVERED/RESOLVED), recovering (RECOVERING/RESOLVING), not-recovered (NOT RECOVERED/NOT RESOLVED), ' +
      'recovered-with-sequelae (RECOVERED/RESOLVED WITH SEQUELAE), fatal (FATAL: the death is recorded first, and the AE ends on its date), unknown (UNKNOWN).',
  )
  outcome!: AdverseEventOutcome;

  @IsOptional()
  @IsCalendarDate()
  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    example: '2026-03-02',
    description: 'End date (AEENDTC): required for recovered, recovered-with-sequelae and fatal; refused for recovering, not-recovered and unknown. On or after the onset.',
  })
  endDate?: string | null;
}
