import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, Text } from '../../shared/validation/field.decorators';

/** `RecordDeath`: a PFS event at its date; later doses and assessments are refused. */
export class RecordDeathRequestDto extends CommandRequestDto {
  @ClinicalDate('Date of death.')
  deathDate!: string;

  @Text('Cause of death.', 1000, 'disease progression')
  cause!: string;
}
