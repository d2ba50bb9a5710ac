import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { Text } from '../../shared/validation/field.decorators';

/** `VerifySource`: the entry the monitor checked against the source document. */
export class VerifySourceRequestDto extends CommandRequestDto {
  @Text('Event id of the verified entry.', 64, '019acb2e-5b7e-7c0f-9a4d-3c2b1a098765')
  targetEventId!: string;
}
