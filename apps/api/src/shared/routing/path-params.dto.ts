import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** Study and subject identifiers: letters, digits, `.`, `_`, `-`; they become part of stream ids. */
export const LEDGER_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;
/** Subject ids have no `-`, so `subject-{studyId}-{subjectId}` names one subject only (see the domain's SUBJECT_ID). */
export const SUBJECT_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._]{0,62}[A-Za-z0-9])?$/;
export const SUBJECT_ID_MESSAGE = '$property must be 1–64 letters, digits, "." or "_" (no "-": it separates study and subject in the stream id), starting and ending with a letter or digit';
const ID_MESSAGE = '$property must be 1–64 letters, digits, ".", "_" or "-", starting and ending with a letter or digit';

export class StudyPathParams {
  @ApiProperty({ example: 'LANR-HGNET-01' })
  @Matches(LEDGER_ID_PATTERN, { message: ID_MESSAGE })
  studyId!: string;
}

export class SubjectPathParams extends StudyPathParams {
  @ApiProperty({ example: 'S001' })
  @Matches(SUBJECT_ID_PATTERN, { message: SUBJECT_ID_MESSAGE })
  subjectId!: string;
}
