import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, PayloadText } from '../../shared/validation/field.decorators';

/** `RecordDeath`: a PFS event at its date; later doses and assessments are refused. */
export class RecordDeathRequestDto extends CommandRequestDto {
  @ClinicalDate('Date of death.')
  deathDate!: string;

  @PayloadText('cause', 'Cause of death.', 'disease progression')
  cause!: string;
}
