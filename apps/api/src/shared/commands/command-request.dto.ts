import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** Printable ASCII, 1–255 characters (the same rule as the `Idempotency-Key` header). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** What every command body may carry besides its payload (SPEC appendix A). */
export abstract class CommandRequestDto {
  @ApiPropertyOptional({ description: 'Makes a retry safe: a second request with the same key answers the first outcome and writes nothing. Same as the Idempotency-Key header.' })
  @IsOptional()
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: 'idempotencyKey must be 1–255 printable ASCII characters' })
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
