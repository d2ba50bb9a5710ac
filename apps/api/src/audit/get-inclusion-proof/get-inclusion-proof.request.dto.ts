import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** A tree size as typed in a query string: digits only (no `1e3`, `0x10`, ` 5` or `5.0`), from 1. */
export const TREE_SIZE = /^[1-9][0-9]{0,15}$/;

/** `?eventId=&treeSize=`: the event, and the tree it is proved in (default: the whole ledger now). */
export class GetInclusionProofQueryDto {
  @ApiProperty({ description: 'The event id (UUID).', example: '01a22dd6-fe18-76f7-92af-4bce2f8b6672' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: '$property must be an event id (UUID, lower case)' })
  eventId!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Prove against the tree of the first N events (the size of a signed tree head you hold).' })
  @IsOptional()
  @Matches(TREE_SIZE, { message: '$property must be a whole number from 1, in digits' })
  treeSize?: string;
}
