import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { AE_OUTCOMES, type AdverseEventOutcome } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { IsCalendarDate } from '../../shared/validation/is-calendar-date.validator';
import { OneOf, PayloadText } from '../../shared/validation/field.decorators';

/**
 * `RecordAdverseEventOutcome`: the outcome of a reported adverse event (CDISC SDTM AEOUT) and, once it has
 * ended, its end date (AEENDTC). A later outcome supersedes an earlier one.
 */
export class RecordAdverseEventOutcomeRequestDto extends CommandRequestDto {
  @PayloadText('adverseEventId', 'Event id of the AdverseEventReported entry (as returned when it was reported).', '0190f7a2-5c1e-7b3a-9d4e-2f6a8b1c3d5e')
  adverseEventId!: string;

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
