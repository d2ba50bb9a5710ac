import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { Text } from '../../shared/validation/field.decorators';

/** `LockStudy`: the reason is part of the audit trail (who locked the database, when and why). */
export class LockStudyRequestDto extends CommandRequestDto {
  @Text('Why the study database is locked.', 2000)
  reason!: string;
}
