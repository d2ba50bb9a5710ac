import type { EnrollSubjectPayload } from '../../commands/command.types';
import { refuse } from '../../shared/domain-error';
import { compareDates } from '../../shared/iso-date';
import { pastDate, PAYLOAD_FIELDS, requirePayload } from '../payload.validate';
import { requireScreened } from './guards';
import type { ClinicalDecision } from './decision.types';
import type { EntryEvent } from '../subject.state';
import { baselineWindowDeviation } from './record-tumor-assessment.decision';

/**
 * `EnrollSubject`: only after `EligibilityConfirmed`, on or after the eligibility assessment and the screening. When the
 * baseline imaging is already recorded outside the protocol's baseline window before the enrollment
 * date (RECIST 1.1 §5.1: baseline as close as possible to treatment start, here ≤ 28 days), the
 * enrollment is recorded with a detected `baseline-out-of-window` deviation.
 * The cap is a study-level rule checked by the subject decider against the roster.
 */
export const decideEnrollSubject: ClinicalDecision<EnrollSubjectPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.EnrollSubject);
  const enrollmentDate = pastDate(p, 'enrollmentDate', ctx.today);
  const screening = requireScreened(facts, ctx.subjectId);
  if (facts.enrollment) {
    refuse('SUBJECT.ALREADY_ENROLLED', `Subject ${ctx.subjectId} is already enrolled as number ${facts.enrollment.subjectNumber}`, {
      subjectId: ctx.subjectId,
      subjectNumber: facts.enrollment.subjectNumber,
    });
  }
  if (facts.withdrawal) {
    refuse('SUBJECT.WITHDRAWN', `Subject ${ctx.subjectId} withdrew before enrollment (${facts.withdrawal.date})`, { withdrawalDate: facts.withdrawal.date });
  }
  const eligibility = facts.eligibility;
  if (!eligibility || eligibility.failedCriteria.length > 0) {
    refuse('SUBJECT.NOT_ELIGIBLE', eligibility ? `Subject ${ctx.subjectId} failed screening` : `Subject ${ctx.subjectId} has no confirmed eligibility`, {
      subjectId: ctx.subjectId,
      failedCriteria: eligibility ? [...eligibility.failedCriteria] : [],
    });
  }
  if (compareDates(enrollmentDate, eligibility!.assessmentDate) < 0) {
    refuse('ENROLLMENT.BEFORE_ELIGIBILITY', `Enrollment (${enrollmentDate}) cannot precede the eligibility assessment (${eligibility!.assessmentDate})`, {
      enrollmentDate,
      assessmentDate: eligibility!.assessmentDate,
    });
  }
  // The eligibility assessment may be dated before the screening visit (after consent), but a subject is
  // enrolled from screening on: an enrollment dated before it would put study day 1 before the subject was screened.
  if (compareDates(enrollmentDate, screening.screeningDate) < 0) {
    refuse('ENROLLMENT.BEFORE_SCREENING', `Enrollment (${enrollmentDate}) cannot precede screening (${screening.screeningDate})`, {
      enrollmentDate,
      screeningDate: screening.screeningDate,
    });
  }
  const enrolled: EntryEvent[] = [{ type: 'SubjectEnrolled', data: { subjectNumber: ctx.subjectNumber, enrollmentDate } }];
  // Baseline imaging outside its window is a deviation of what happened, not a reason to refuse the enrollment.
  const baseline = facts.assessments.find((a) => a.baseline && a.assessmentDate === facts.recist?.baselineDate);
  const deviation = facts.recist ? baselineWindowDeviation(facts.recist.baselineDate, enrollmentDate, ctx.protocol.assessments.baselineWindowDays, baseline?.eventId) : null;
  return deviation ? [...enrolled, deviation] : enrolled;
};
