import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID, Matches, ValidateIf } from 'class-validator';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from '@trial-ledger/command-pipeline';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { PayloadText } from '../../shared/validation/field.decorators';
import { NotTogetherWith } from '../../shared/validation/not-together-with.validator';

/** `VoidEntry`: an entry made in error (wrong subject, duplicate). It stays in the ledger, marked void. */
export class VoidEntryRequestDto extends CommandRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The event to void (or give targetIdempotencyKey).' })
  @ValidateIf((dto: VoidEntryRequestDto) => dto.targetEventId !== undefined || dto.targetIdempotencyKey === undefined)
  @IsUUID('all', { message: 'targetEventId must be an event id (UUID) unless targetIdempotencyKey names the entry' })
  @NotTogetherWith('targetIdempotencyKey')
  targetEventId?: string;

  @ApiPropertyOptional({ description: 'The idempotency key of the command that wrote the entry.' })
  @ValidateIf((dto: VoidEntryRequestDto) => dto.targetIdempotencyKey !== undefined)
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: `targetIdempotencyKey must be ${IDEMPOTENCY_KEY_RULE}` })
  targetIdempotencyKey?: string;

  @PayloadText('reason', 'Why the entry is void (required; shown in the audit trail).', 'entered on the wrong subject')
  reason!: string;
}
