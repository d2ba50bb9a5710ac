import { notFound, refuse } from '../../shared/domain-error';
import { compareDates, type IsoDate } from '../../shared/iso-date';
import type { EnrollmentFact, ScreeningFact, SubjectFacts } from '../subject.state';

/** Anything but `ScreenSubject` addresses a subject that must exist, i.e. have been screened. */
export const requireScreened = (facts: SubjectFacts, subjectId: string): ScreeningFact => {
  if (!facts.screening) return notFound('SUBJECT.NOT_FOUND', `Subject ${subjectId} has not been screened in this study`, { subjectId });
  return facts.screening;
};

/** Treatment and follow-up facts exist only for enrolled subjects (study day 1 = enrollment date). */
export const requireEnrolled = (facts: SubjectFacts, subjectId: string): EnrollmentFact => {
  requireScreened(facts, subjectId);
  if (!facts.enrollment) return refuse('SUBJECT.NOT_ENROLLED', `Subject ${subjectId} is not enrolled`, { subjectId });
  return facts.enrollment;
};

export const notBeforeEnrollment = (enrollment: EnrollmentFact, date: IsoDate, field: string, code = 'DATE.BEFORE_ENROLLMENT'): void => {
  if (compareDates(date, enrollment.enrollmentDate) < 0) {
    refuse(code, `${field} ${date} lies before the enrollment date ${enrollment.enrollmentDate}`, { field, date, enrollmentDate: enrollment.enrollmentDate });
  }
};

/** GCP (ICH E6 4.8.8): nothing is collected from a subject before written informed consent. */
export const notBeforeConsent = (screening: ScreeningFact, date: IsoDate, field: string): void => {
  if (compareDates(date, screening.consentDate) < 0) {
    refuse('DATE.BEFORE_CONSENT', `${field} ${date} lies before informed consent (${screening.consentDate})`, { field, date, consentDate: screening.consentDate });
  }
};

/** Nothing clinical is dated after death; a late entry of a fact dated before it is accepted. */
export const notAfterDeath = (facts: SubjectFacts, date: IsoDate, field: string): void => {
  if (facts.death && compareDates(date, facts.death.date) > 0) {
    refuse('SUBJECT.DEAD', `${field} ${date} lies after the subject's death (${facts.death.date})`, { field, date, deathDate: facts.death.date });
  }
};

/**
 * After withdrawal no study data are collected (only vital status: `RecordDeath` is still accepted);
 * facts dated on or before the withdrawal date may still be entered late.
 */
export const notAfterWithdrawal = (facts: SubjectFacts, date: IsoDate, field: string): void => {
  if (facts.withdrawal && compareDates(date, facts.withdrawal.date) > 0) {
    refuse('SUBJECT.WITHDRAWN', `${field} ${date} lies after the subject's withdrawal (${facts.withdrawal.date})`, {
      field,
      date,
      withdrawalDate: facts.withdrawal.date,
    });
  }
};

export const latestDate = (...dates: ReadonlyArray<IsoDate | null | undefined>): IsoDate | null =>
  dates.reduce<IsoDate | null>((max, d) => (d && (max === null || compareDates(d, max) > 0) ? d : max), null);
