import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, Text } from '../../shared/validation/field.decorators';

/** `RecordNewAnticancerTherapy`: a new therapy before progression censors PFS (FDA 2018 guidance). */
export class RecordNewAnticancerTherapyRequestDto extends CommandRequestDto {
  @ClinicalDate('Start date of the new therapy.')
  startDate!: string;

  @Text('The therapy started.', 500, 'everolimus 10 mg daily')
  therapy!: string;
}
