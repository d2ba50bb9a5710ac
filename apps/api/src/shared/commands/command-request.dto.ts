import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from '@trial-ledger/command-pipeline';

/** What every command body may carry besides its payload (SPEC appendix A). */
export abstract class CommandRequestDto {
  @ApiPropertyOptional({
    pattern: IDEMPOTENCY_KEY_PATTERN.source,
    maxLength: 255,
    description: `Makes a retry safe: a second request with the same key answers the first outcome and writes nothing. Same as the Idempotency-Key header (${IDEMPOTENCY_KEY_RULE}).`,
  })
  @IsOptional()
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: `idempotencyKey must be ${IDEMPOTENCY_KEY_RULE}` })
  idempotencyKey?: string;
}

/**
 * The command payload of a validated request body: a plain JSON copy without the transport-only
 * `idempotencyKey` and without absent optional fields. DTO instances never travel further than this.
 */
export const toPayload = <P>(dto: CommandRequestDto): P => {
  const { idempotencyKey: _key, ...payload } = JSON.parse(JSON.stringify(dto)) as Record<string, unknown>;
  return payload as P;
};
