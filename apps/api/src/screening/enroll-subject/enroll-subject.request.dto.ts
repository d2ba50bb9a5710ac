import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate } from '../../shared/validation/field.decorators';

/** `EnrollSubject`: day 0 of the subject's study calendar and the PFS start date (SPEC §3). */
export class EnrollSubjectRequestDto extends CommandRequestDto {
  @ClinicalDate('Enrollment date: start of the dosing and assessment schedules and of PFS.')
  enrollmentDate!: string;
}
