import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { STUDY_ID_PATTERN, STUDY_ID_RULE, SUBJECT_ID, SUBJECT_ID_RULE } from '@trial-ledger/domain';

/** Study identifiers: letters, digits, `.`, `_`, `-`; they become part of stream ids. The domain's rule, so a study registered is one a route can name. */
export const LEDGER_ID_PATTERN = STUDY_ID_PATTERN;
/**
 * Subject ids are checked by the domain's own rule (`SUBJECT_ID`), wherever the API takes one (path,
 * body, query): what the CLI or `import` can record, the API can record and address, and nothing more.
 * They have no `-`, so `subject-{studyId}-{subjectId}` names one subject only. The message is the
 * domain's `SUBJECT_ID_RULE`, naming the field it is given in (`subjectId`, or `subject` in a filter).
 */
export const SUBJECT_ID_MESSAGE = `$property${SUBJECT_ID_RULE.replace(/^subjectId/, '')}`;
const ID_MESSAGE = `$property ${STUDY_ID_RULE}`;

export class StudyPathParams {
  @ApiProperty({ example: 'LANR-HGNET-01', pattern: LEDGER_ID_PATTERN.source, maxLength: 64 })
  @Matches(LEDGER_ID_PATTERN, { message: ID_MESSAGE })
  studyId!: string;
}

export class SubjectPathParams extends StudyPathParams {
  @ApiProperty({ example: 'S001', pattern: SUBJECT_ID.source, maxLength: 64 })
  @Matches(SUBJECT_ID, { message: SUBJECT_ID_MESSAGE })
  subjectId!: string;
}
