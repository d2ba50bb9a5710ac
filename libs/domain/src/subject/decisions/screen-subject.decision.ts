import type { ScreenSubjectPayload } from '../../commands/command.types';
import { invalid, refuse } from '../../shared/domain-error';
import { compareDates } from '../../shared/iso-date';
import { boundedNumber, oneOf, pastDate, PAYLOAD_FIELDS, requirePayload, SEXES } from '../payload.validate';
import type { ClinicalDecision } from './decision.types';

/** `ScreenSubject`: the subject id is unique in the study; consent is signed on or before screening. */
export const decideScreenSubject: ClinicalDecision<ScreenSubjectPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.ScreenSubject);
  const screeningDate = pastDate(p, 'screeningDate', ctx.today);
  const consentDate = pastDate(p, 'consentDate', ctx.today);
  const sex = oneOf(p, 'sex', SEXES);
  // Born after the year of screening is impossible (a typo such as 2026 for 1962), not merely unusual.
  const birthYear = boundedNumber(p, 'birthYear', ctx, Math.min(Number(ctx.today.slice(0, 4)), Number(screeningDate.slice(0, 4))));
  if (facts.screening) refuse('SUBJECT.ALREADY_SCREENED', `Subject ${ctx.subjectId} is already screened in study ${ctx.studyId}`, { subjectId: ctx.subjectId });
  if (compareDates(consentDate, screeningDate) > 0) {
    invalid('SCREENING.CONSENT_AFTER_SCREENING', `Informed consent (${consentDate}) must be signed on or before screening (${screeningDate})`, { consentDate, screeningDate });
  }
  return [{ type: 'SubjectScreened', data: { studyId: ctx.studyId, subjectId: ctx.subjectId, screeningDate, consentDate, sex, birthYear } }];
};
