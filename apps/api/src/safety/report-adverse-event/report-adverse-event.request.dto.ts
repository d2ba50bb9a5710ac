import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, Flag, IntegerIn, Text } from '../../shared/validation/field.decorators';

/** `ReportAdverseEvent`, graded by CTCAE (1 mild … 5 death related to the AE). */
export class ReportAdverseEventRequestDto extends CommandRequestDto {
  @Text('Adverse event term (MedDRA preferred term where known).', 500, 'diarrhoea')
  term!: string;

  @ClinicalDate('Onset date.')
  onsetDate!: string;

  @IntegerIn(1, 5, 'CTCAE grade 1–5.', 2)
  ctcaeGrade!: number;

  @Flag('Serious adverse event (ICH E2A: death, life-threatening, hospitalisation, …).')
  serious!: boolean;

  @Text("Investigator's assessment of relatedness to the study drug.", 100, 'possibly related')
  relatedness!: string;
}
