import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { Text } from '../../shared/validation/field.decorators';

/** `AmendProtocol`: the next version of the protocol document and why (the amendment's audit reason). */
export class AmendProtocolRequestDto extends CommandRequestDto {
  @ApiProperty({ type: Object, description: 'The whole amended protocol document; its version must be the current one + 1.' })
  @IsObject()
  protocol!: Record<string, unknown>;

  @Text('Why the protocol is amended (recorded in the audit trail).', 2000)
  reason!: string;
}
