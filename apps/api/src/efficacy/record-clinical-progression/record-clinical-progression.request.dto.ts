import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, PayloadText } from '../../shared/validation/field.decorators';

/** `RecordClinicalProgression`: progression judged by the investigator without RECIST PD (a PFS event). */
export class RecordClinicalProgressionRequestDto extends CommandRequestDto {
  @ClinicalDate('Date of clinical progression.')
  progressionDate!: string;

  @PayloadText('basis', 'Clinical basis for the judgement (symptoms, biomarkers, …).', 'symptomatic deterioration with rising chromogranin A')
  basis!: string;
}
