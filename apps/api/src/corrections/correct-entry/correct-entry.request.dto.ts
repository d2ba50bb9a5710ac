import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmptyObject, IsObject, IsUUID, Matches, ValidateIf } from 'class-validator';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from '@trial-ledger/command-pipeline';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { PayloadText } from '../../shared/validation/field.decorators';
import { NotTogetherWith } from '../../shared/validation/not-together-with.validator';

/**
 * `CorrectEntry` (Part 11 §11.10(e): changes must not obscure previously recorded information). The
 * target is named by its event id or by the idempotency key of the command that wrote it; `changes`
 * maps top-level payload fields to their new values, and the domain re-checks the original command's
 * rules on the corrected entry.
 */
export class CorrectEntryRequestDto extends CommandRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The event to correct (or give targetIdempotencyKey).' })
  @ValidateIf((dto: CorrectEntryRequestDto) => dto.targetEventId !== undefined || dto.targetIdempotencyKey === undefined)
  @IsUUID('all', { message: 'targetEventId must be an event id (UUID) unless targetIdempotencyKey names the entry' })
  @NotTogetherWith('targetIdempotencyKey')
  targetEventId?: string;

  @ApiPropertyOptional({ description: 'The idempotency key of the command that wrote the entry.' })
  @ValidateIf((dto: CorrectEntryRequestDto) => dto.targetIdempotencyKey !== undefined)
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: `targetIdempotencyKey must be ${IDEMPOTENCY_KEY_RULE}` })
  targetIdempotencyKey?: string;

  @ApiProperty({ type: Object, description: 'Top-level payload fields of the original entry → their corrected values.', example: { doseMg: 90 } })
  @IsObject()
  @IsNotEmptyObject({ nullable: false }, { message: 'changes must name at least one field' })
  changes!: Record<string, unknown>;

  @PayloadText('reason', 'Why the entry is corrected (required; shown in the audit trail).', 'transcription error: source document says 90 mg')
  reason!: string;
}
