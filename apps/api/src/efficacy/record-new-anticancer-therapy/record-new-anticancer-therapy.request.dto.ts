import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, PayloadText } from '../../shared/validation/field.decorators';

/** `RecordNewAnticancerTherapy`: a new therapy before progression censors PFS (FDA 2018 guidance). */
export class RecordNewAnticancerTherapyRequestDto extends CommandRequestDto {
  @ClinicalDate('Start date of the new therapy.')
  startDate!: string;

  @PayloadText('therapy', 'The therapy started.', 'everolimus 10 mg daily')
  therapy!: string;
}
