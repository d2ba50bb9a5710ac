import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, PayloadText } from '../../shared/validation/field.decorators';

/** `DiscontinueTreatment`: study drug stops; the subject stays in follow-up for PFS. */
export class DiscontinueTreatmentRequestDto extends CommandRequestDto {
  @ClinicalDate('Date of the decision to stop study treatment.')
  discontinuationDate!: string;

  @PayloadText('reason', 'Why treatment stopped.', 'unacceptable toxicity')
  reason!: string;
}
