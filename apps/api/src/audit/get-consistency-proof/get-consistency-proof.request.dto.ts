import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsTreeSize } from '../get-inclusion-proof/get-inclusion-proof.request.dto';

/** `?from=&to=`: two tree sizes (`to` defaults to the whole ledger now). */
export class GetConsistencyProofQueryDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The earlier tree size (that of a signed tree head you hold).' })
  @IsTreeSize()
  from!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'The later tree size; default: the number of events now.' })
  @IsOptional()
  @IsTreeSize()
  to?: string;
}
