import type { DeviationSeverity } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, OneOf, PayloadText } from '../../shared/validation/field.decorators';

const SEVERITIES: readonly DeviationSeverity[] = ['major', 'minor'];

/** `RecordDeviation`: a deviation noticed by site staff (the system detects dosing deviations itself). */
export class RecordDeviationRequestDto extends CommandRequestDto {
  @ClinicalDate('Date the deviation occurred.')
  deviationDate!: string;

  @PayloadText('category', 'Deviation category (e.g. eligibility, informed consent, visit window).', 'visit window')
  category!: string;

  @PayloadText('description', 'What happened.', 'Week 12 CT performed 10 days late')
  description!: string;

  @OneOf(SEVERITIES, 'Major deviations may affect subject safety or data integrity.')
  severity!: DeviationSeverity;
}
