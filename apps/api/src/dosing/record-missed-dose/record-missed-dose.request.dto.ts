import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, IntegerIn, Text } from '../../shared/validation/field.decorators';

/** `RecordMissedDose`: a missed cycle is itself a protocol deviation, so the domain records both. */
export class RecordMissedDoseRequestDto extends CommandRequestDto {
  @IntegerIn(1, 1000, 'The cycle that was not given.', 3)
  cycle!: number;

  @ClinicalDate('The date the missed dose was due.')
  dueOn!: string;

  @Text('Why the dose was missed.', 1000, 'subject hospitalised')
  reason!: string;
}
