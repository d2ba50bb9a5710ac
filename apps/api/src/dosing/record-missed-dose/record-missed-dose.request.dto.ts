import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, PayloadNumber, PayloadText } from '../../shared/validation/field.decorators';

/** `RecordMissedDose`: a missed cycle is itself a protocol deviation, so the domain records both. */
export class RecordMissedDoseRequestDto extends CommandRequestDto {
  @PayloadNumber('cycle', 'The cycle that was not given.', 3)
  cycle!: number;

  @ClinicalDate('The date the missed dose was due.')
  dueOn!: string;

  @PayloadText('reason', 'Why the dose was missed.', 'subject hospitalised')
  reason!: string;
}
