import type { EnrollSubjectPayload } from '../../commands/command.types';
import { refuse } from '../../shared/domain-error';
import { compareDates, daysBetween } from '../../shared/iso-date';
import { pastDate, PAYLOAD_FIELDS, requirePayload } from '../payload.validate';
import { requireScreened } from './guards';
import type { ClinicalDecision } from './decision.types';

/**
 * `EnrollSubject`: only after `EligibilityConfirmed`, on or after the eligibility assessment. When the
 * baseline imaging is already recorded, it must lie within the protocol's baseline window before the
 * enrollment date (RECIST 1.1 §5.1: baseline as close as possible to treatment start, here ≤ 28 days).
 * The cap is a study-level rule checked by the subject decider against the roster.
 */
export const decideEnrollSubject: ClinicalDecision<EnrollSubjectPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.EnrollSubject);
  const enrollmentDate = pastDate(p, 'enrollmentDate', ctx.today);
  requireScreened(facts, ctx.subjectId);
  if (facts.enrollment) {
    refuse('SUBJECT.ALREADY_ENROLLED', `Subject ${ctx.subjectId} is already enrolled as number ${facts.enrollment.subjectNumber}`, {
      subjectId: ctx.subjectId,
      subjectNumber: facts.enrollment.subjectNumber,
    });
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
  const baseline = facts.recist;
  if (baseline) {
    const days = daysBetween(baseline.baselineDate, enrollmentDate);
    const window = ctx.protocol.assessments.baselineWindowDays;
    if (days < 0 || days > window) {
      refuse('ENROLLMENT.BASELINE_OUT_OF_WINDOW', `The baseline assessment (${baseline.baselineDate}) must lie within ${window} days before enrollment (${enrollmentDate})`, {
        baselineDate: baseline.baselineDate,
        enrollmentDate,
        baselineWindowDays: window,
      });
    }
  }
  return [{ type: 'SubjectEnrolled', data: { subjectNumber: ctx.subjectNumber, enrollmentDate } }];
};
