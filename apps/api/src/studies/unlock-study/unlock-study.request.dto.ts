import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { Text } from '../../shared/validation/field.decorators';

/** `UnlockStudy`: the reason is part of the audit trail (who unlocked the database, when and why). */
export class UnlockStudyRequestDto extends CommandRequestDto {
  @Text('Why the study database is unlocked.', 2000)
  reason!: string;
}
