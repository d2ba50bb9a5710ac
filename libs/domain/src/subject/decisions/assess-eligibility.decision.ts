import type { AssessEligibilityPayload } from '../../commands/command.types';
import type { ProtocolDocument } from '../../protocol/protocol.types';
import { refuse } from '../../shared/domain-error';
import { readAlike } from '../../shared/free-text';
import { compareDates, type IsoDate } from '../../shared/iso-date';
import { boundedNumber, DISEASE_STATUSES, flag, oneOf, pastDate, PAYLOAD_FIELDS, requirePayload, text } from '../payload.validate';
import { notAfterWithdrawal, requireScreened } from './guards';
import type { ClinicalDecision } from './decision.types';

/**
 * Stable ids of the eligibility criteria of SPEC §1, named in `SubjectScreenFailed.failedCriteria`.
 * Clients and reports rely on them: never rename one. They name what the registered protocol requires,
 * not what the seed protocol happens to list. The one id ever renamed (`primary-site-not-hindgut`, in
 * ledgers recorded before) is read as its current id by the upcasters (`events/upcasters.ts`).
 */
export const ELIGIBILITY_CRITERIA = {
  ageBelowMinimum: 'age-below-minimum',
  consentAfterAssessment: 'consent-after-assessment',
  /** The primary tumour site is not among the protocol's sites (`eligibility.primarySites`). */
  primarySiteNotAllowed: 'primary-site-not-allowed',
  whoGradeNotAllowed: 'who-grade-not-allowed',
  ki67AboveMaximum: 'ki67-above-maximum',
  diseaseStatusNotAllowed: 'disease-status-not-allowed',
  noMeasurableDisease: 'no-measurable-disease',
  priorSystemicTherapy: 'prior-systemic-therapy',
  ecogAboveMaximum: 'ecog-above-maximum',
} as const;

/**
 * Every criterion is evaluated (not only up to the first failure): a screen-failure log names all of
 * them. Thresholds come from the protocol document.
 */
export const failedEligibilityCriteria = (
  input: AssessEligibilityPayload,
  screening: { readonly consentDate: IsoDate; readonly birthYear: number },
  protocol: ProtocolDocument,
): string[] => {
  const e = protocol.eligibility;
  const c = ELIGIBILITY_CRITERIA;
  const failed: string[] = [];
  const consentDate = screening.consentDate;
  // The typed age is checked against the birth year recorded at screening: someone born in year B is at most
  // (assessment year − B) years old, so a subject the birth year shows below the minimum age is not made
  // eligible by a mistyped age (born 2009, "65" typed in 2026 is at most 17).
  const oldestPossibleAge = Number(input.assessmentDate.slice(0, 4)) - screening.birthYear;
  if (input.age < e.minAge || oldestPossibleAge < e.minAge) failed.push(c.ageBelowMinimum);
  // Written informed consent must precede any study-specific assessment (ICH E6 4.8.8).
  if (compareDates(consentDate, input.assessmentDate) > 0) failed.push(c.consentAfterAssessment);
  // Compared as read and case-insensitively: "Rectum" or "rectum" with a zero-width space is the listed rectum,
  // not a site outside the protocol that would record an eligible subject as a screen failure.
  if (!e.primarySites.some((listed) => readAlike(listed, input.primarySite))) failed.push(c.primarySiteNotAllowed);
  if (!e.whoGrades.includes(input.whoGrade)) failed.push(c.whoGradeNotAllowed);
  if (input.ki67Percent > e.maxKi67Percent) failed.push(c.ki67AboveMaximum);
  if (!e.diseaseStatuses.includes(input.diseaseStatus)) failed.push(c.diseaseStatusNotAllowed);
  if (e.requireMeasurableDisease && !input.measurableDisease) failed.push(c.noMeasurableDisease);
  if (!e.allowPriorSystemicTherapy && input.priorSystemicTherapy) failed.push(c.priorSystemicTherapy);
  if (input.ecog > e.maxEcog) failed.push(c.ecogAboveMaximum);
  return failed;
};

/** `AssessEligibility`: one assessment per subject; the outcome is data, not a refusal. */
export const decideAssessEligibility: ClinicalDecision<AssessEligibilityPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.AssessEligibility);
  const input: AssessEligibilityPayload = {
    assessmentDate: pastDate(p, 'assessmentDate', ctx.today),
    age: boundedNumber(p, 'age', ctx),
    primarySite: text(p, 'primarySite'),
    whoGrade: boundedNumber(p, 'whoGrade', ctx),
    ki67Percent: boundedNumber(p, 'ki67Percent', ctx),
    diseaseStatus: oneOf(p, 'diseaseStatus', DISEASE_STATUSES),
    measurableDisease: flag(p, 'measurableDisease'),
    priorSystemicTherapy: flag(p, 'priorSystemicTherapy'),
    ecog: boundedNumber(p, 'ecog', ctx),
  };
  const screening = requireScreened(facts, ctx.subjectId);
  if (facts.eligibility) refuse('SUBJECT.ALREADY_ASSESSED', `Subject ${ctx.subjectId} has already been assessed for eligibility`, { subjectId: ctx.subjectId });
  notAfterWithdrawal(facts, input.assessmentDate, 'assessmentDate');
  // A new assessment is judged by the protocol in force; one re-checked after a correction by the
  // criteria of the version it was recorded under: an amendment does not reach back to subjects assessed before it.
  const criteria = ctx.recordedUnder !== undefined && ctx.eligibilityOf ? { ...ctx.protocol, eligibility: ctx.eligibilityOf(ctx.recordedUnder) } : ctx.protocol;
  const failedCriteria = failedEligibilityCriteria(input, screening, criteria);
  return failedCriteria.length > 0
    ? [{ type: 'SubjectScreenFailed', data: { ...input, failedCriteria } }]
    : [{ type: 'EligibilityConfirmed', data: input }];
};
