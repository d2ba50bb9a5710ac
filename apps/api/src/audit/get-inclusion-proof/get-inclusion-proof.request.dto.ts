import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, ValidateBy } from 'class-validator';

/** A tree size as typed in a query string: digits only (no `1e3`, `0x10`, ` 5` or `5.0`), from 1. */
export const TREE_SIZE = /^[1-9][0-9]{0,15}$/;

/**
 * A tree size: `TREE_SIZE`, and no larger than 2^53 − 1 — past it `Number()` reads another size
 * (`9007199254740993` as `…992`), refused later under a message about a range the caller did not give.
 */
export const IsTreeSize = (): PropertyDecorator =>
  ValidateBy({
    name: 'isTreeSize',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && TREE_SIZE.test(value) && Number.isSafeInteger(Number(value)),
      defaultMessage: () => '$property must be a whole number from 1, in digits',
    },
  });

/** `?eventId=&treeSize=`: the event, and the tree it is proved in (default: the whole ledger now). */
export class GetInclusionProofQueryDto {
  @ApiProperty({ description: 'The event id (UUID).', example: '01a22dd6-fe18-76f7-92af-4bce2f8b6672' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: '$property must be an event id (UUID, lower case)' })
  eventId!: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Prove against the tree of the first N events (the size of a signed tree head you hold).' })
  @IsOptional()
  @IsTreeSize()
  treeSize?: string;
}
