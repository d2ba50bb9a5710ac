import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { SUBJECT_ID, type Sex } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { SUBJECT_ID_MESSAGE } from '../../shared/routing/path-params.dto';
import { ClinicalDate, OneOf, PayloadNumber } from '../../shared/validation/field.decorators';

const SEXES: readonly Sex[] = ['F', 'M', 'U'];

/** `ScreenSubject`: opens the subject's stream. Consent must be dated on or before screening (ICH E6 4.8). */
export class ScreenSubjectRequestDto extends CommandRequestDto {
  @ApiProperty({ example: 'S001', pattern: SUBJECT_ID.source, maxLength: 64, description: 'Unique within the study; part of the stream id.' })
  @Matches(SUBJECT_ID, { message: SUBJECT_ID_MESSAGE })
  subjectId!: string;

  @ClinicalDate('Date of the screening visit.')
  screeningDate!: string;

  @ClinicalDate('Date written informed consent was signed.', '2026-03-01')
  consentDate!: string;

  @OneOf(SEXES, 'Sex (F, M, U = unknown).')
  sex!: Sex;

  @PayloadNumber('birthYear', 'Year of birth (no full date of birth: data minimisation).', 1961)
  birthYear!: number;
}
