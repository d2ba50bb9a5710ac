import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** Study and subject identifiers: letters, digits, `.`, `_`, `-`; they become part of stream ids. */
export const LEDGER_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;
const ID_MESSAGE = '$property must be 1–64 letters, digits, ".", "_" or "-", starting and ending with a letter or digit';

export class StudyPathParams {
  @ApiProperty({ example: 'LANR-HGNET-01' })
  @Matches(LEDGER_ID_PATTERN, { message: ID_MESSAGE })
  studyId!: string;
}

export class SubjectPathParams extends StudyPathParams {
  @ApiProperty({ example: 'S001' })
  @Matches(LEDGER_ID_PATTERN, { message: ID_MESSAGE })
  subjectId!: string;
}
