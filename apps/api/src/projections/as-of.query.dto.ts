import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { QueryInteger } from '../shared/validation/field.decorators';

/**
 * `?asKnownAt=…&position=…`: bitemporal replay (SPEC §4). The instant is checked and normalised by
 * the projections library (REPLAY.INVALID_AS_KNOWN_AT), so the API and the CLI accept the same forms.
 */
export class AsOfQueryDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2026-03-15T12:00:00Z',
    description: 'Recording instant, ISO 8601 with zone (a bare date means the end of that UTC day): the view as the ledger knew it then.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  asKnownAt?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Global log position to replay to (combined with asKnownAt, the earlier wins).' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(0)
  position?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description:
      "Read your own write: the position a command answered with. The current view waits until the read models have folded it (at most 5 s, else 503 READ_MODEL.NOT_CAUGHT_UP); without it the read models answer as they stand. Ignored with asKnownAt/position (those read the log).",
  })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(0)
  minPosition?: number;
}
