import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, Flag, PayloadNumber, PayloadText } from '../../shared/validation/field.decorators';

/** `ReportAdverseEvent`, graded by CTCAE (1 mild … 5 death related to the AE). */
export class ReportAdverseEventRequestDto extends CommandRequestDto {
  @PayloadText('term', 'Adverse event term (MedDRA preferred term where known).', 'diarrhoea')
  term!: string;

  @ClinicalDate('Onset date.')
  onsetDate!: string;

  @PayloadNumber('ctcaeGrade', 'CTCAE grade 1–5.', 2)
  ctcaeGrade!: number;

  @Flag('Serious adverse event (ICH E2A: death, life-threatening, hospitalisation, …).')
  serious!: boolean;

  @PayloadText('relatedness', "Investigator's assessment of relatedness to the study drug.", 'possibly related')
  relatedness!: string;
}
