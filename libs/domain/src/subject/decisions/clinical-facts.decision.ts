import type {
  DiscontinueTreatmentPayload,
  RecordClinicalProgressionPayload,
  RecordDeathPayload,
  RecordDeviationPayload,
  RecordNewAnticancerTherapyPayload,
  ReportAdverseEventPayload,
  WithdrawSubjectPayload,
} from '../../commands/command.types';
import { invalid, refuse } from '../../shared/domain-error';
import { compareDates } from '../../shared/iso-date';
import { boundedNumber, DEVIATION_SEVERITIES, flag, oneOf, pastDate, PAYLOAD_FIELDS, requirePayload, text, WITHDRAWAL_REASONS } from '../payload.validate';
import { latestDate, notAfterDeath, notAfterWithdrawal, notBeforeConsent, notBeforeEnrollment, requireEnrolled, requireScreened } from './guards';
import type { ClinicalDecision } from './decision.types';

/** `RecordClinicalProgression` (investigator): symptomatic deterioration without RECIST PD; a PFS event. */
export const decideRecordClinicalProgression: ClinicalDecision<RecordClinicalProgressionPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordClinicalProgression);
  const progressionDate = pastDate(p, 'progressionDate', ctx.today);
  const basis = text(p, 'basis');
  notBeforeEnrollment(requireEnrolled(facts, ctx.subjectId), progressionDate, 'progressionDate');
  notAfterDeath(facts, progressionDate, 'progressionDate');
  notAfterWithdrawal(facts, progressionDate, 'progressionDate');
  return [{ type: 'ClinicalProgressionRecorded', data: { progressionDate, basis } }];
};

/** `RecordNewAnticancerTherapy`: censors PFS at the last adequate assessment before it (FDA 2018). */
export const decideRecordNewAnticancerTherapy: ClinicalDecision<RecordNewAnticancerTherapyPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordNewAnticancerTherapy);
  const startDate = pastDate(p, 'startDate', ctx.today);
  const therapy = text(p, 'therapy');
  notBeforeEnrollment(requireEnrolled(facts, ctx.subjectId), startDate, 'startDate');
  notAfterDeath(facts, startDate, 'startDate');
  notAfterWithdrawal(facts, startDate, 'startDate');
  return [{ type: 'NewAnticancerTherapyStarted', data: { startDate, therapy } }];
};

/** `ReportAdverseEvent`: collected from informed consent on (ICH E2A); CTCAE grade 1–5 (5 = death). */
export const decideReportAdverseEvent: ClinicalDecision<ReportAdverseEventPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.ReportAdverseEvent);
  const term = text(p, 'term');
  const onsetDate = pastDate(p, 'onsetDate', ctx.today);
  const ctcaeGrade = boundedNumber(p, 'ctcaeGrade', ctx);
  const serious = flag(p, 'serious');
  const relatedness = text(p, 'relatedness');
  // CTCAE grade 5 is death related to the AE, and an AE that results in death is serious by definition
  // (ICH E2A): "fatal, not serious" contradicts itself. Checked on new values only, so an AE recorded
  // before this rule blocks no correction of another entry.
  if (ctcaeGrade === 5 && !serious && ctx.precision !== 'recorded') {
    invalid('AE.FATAL_NOT_SERIOUS', 'A CTCAE grade 5 (fatal) adverse event is serious (ICH E2A: results in death): set serious to true', { ctcaeGrade, serious });
  }
  notBeforeConsent(requireScreened(facts, ctx.subjectId), onsetDate, 'onsetDate');
  notAfterDeath(facts, onsetDate, 'onsetDate');
  notAfterWithdrawal(facts, onsetDate, 'onsetDate');
  return [{ type: 'AdverseEventReported', data: { term, onsetDate, ctcaeGrade, serious, relatedness } }];
};

/** `RecordDeviation`: a deviation noticed by site staff or a monitor (ICH E3 10.2), from consent on. */
export const decideRecordDeviation: ClinicalDecision<RecordDeviationPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordDeviation);
  const deviationDate = pastDate(p, 'deviationDate', ctx.today);
  const category = text(p, 'category');
  const description = text(p, 'description');
  const severity = oneOf(p, 'severity', DEVIATION_SEVERITIES);
  notBeforeConsent(requireScreened(facts, ctx.subjectId), deviationDate, 'deviationDate');
  notAfterDeath(facts, deviationDate, 'deviationDate');
  notAfterWithdrawal(facts, deviationDate, 'deviationDate');
  return [{ type: 'ProtocolDeviationRecorded', data: { deviationDate, category, description, severity } }];
};

/** `DiscontinueTreatment`: the subject stays in follow-up (ITT); no dose may be dated after it. */
export const decideDiscontinueTreatment: ClinicalDecision<DiscontinueTreatmentPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.DiscontinueTreatment);
  const discontinuationDate = pastDate(p, 'discontinuationDate', ctx.today);
  const reason = text(p, 'reason');
  notBeforeEnrollment(requireEnrolled(facts, ctx.subjectId), discontinuationDate, 'discontinuationDate');
  if (facts.discontinuation) {
    refuse('TREATMENT.ALREADY_DISCONTINUED', `Treatment was already discontinued on ${facts.discontinuation.date}`, { discontinuationDate: facts.discontinuation.date });
  }
  notAfterDeath(facts, discontinuationDate, 'discontinuationDate');
  notAfterWithdrawal(facts, discontinuationDate, 'discontinuationDate');
  const lastDose = latestDate(...facts.doses.map((d) => d.administeredOn));
  if (lastDose && compareDates(discontinuationDate, lastDose) < 0) {
    refuse('TREATMENT.BEFORE_RECORDED_DOSE', `Discontinuation (${discontinuationDate}) cannot precede the recorded dose of ${lastDose}`, { discontinuationDate, lastDoseDate: lastDose });
  }
  return [{ type: 'TreatmentDiscontinued', data: { discontinuationDate, reason } }];
};

/**
 * `WithdrawSubject`: end of study participation; dated on or after every recorded clinical fact. A screened
 * subject who withdraws before enrollment (CDISC disposition "withdrawal by subject" before enrollment) is
 * recorded too, on or after the screening and the eligibility assessment; that subject is never enrolled
 * and never enters the PFS analysis set. A screen failure's participation already ended: nothing to withdraw.
 */
export const decideWithdrawSubject: ClinicalDecision<WithdrawSubjectPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.WithdrawSubject);
  const withdrawalDate = pastDate(p, 'withdrawalDate', ctx.today);
  const reason = oneOf(p, 'reason', WITHDRAWAL_REASONS);
  const screening = requireScreened(facts, ctx.subjectId);
  if (facts.death) refuse('SUBJECT.DEAD', `Subject ${ctx.subjectId} died on ${facts.death.date}`, { deathDate: facts.death.date });
  if (facts.withdrawal) refuse('SUBJECT.WITHDRAWN', `Subject ${ctx.subjectId} was already withdrawn on ${facts.withdrawal.date}`, { withdrawalDate: facts.withdrawal.date });
  if (facts.enrollment) notBeforeEnrollment(facts.enrollment, withdrawalDate, 'withdrawalDate');
  else {
    if (facts.eligibility && facts.eligibility.failedCriteria.length > 0) {
      refuse('SUBJECT.SCREEN_FAILED', `Subject ${ctx.subjectId} failed screening: participation already ended`, { subjectId: ctx.subjectId });
    }
    if (compareDates(withdrawalDate, screening.screeningDate) < 0) {
      refuse('WITHDRAWAL.BEFORE_SCREENING', `Withdrawal (${withdrawalDate}) cannot precede screening (${screening.screeningDate})`, {
        withdrawalDate,
        screeningDate: screening.screeningDate,
      });
    }
  }
  const latest = latestDate(facts.latestClinicalDate, facts.eligibility?.assessmentDate);
  if (latest && compareDates(withdrawalDate, latest) < 0) {
    refuse('WITHDRAWAL.BEFORE_RECORDED_FACT', `Withdrawal (${withdrawalDate}) cannot precede recorded data dated ${latest}`, {
      withdrawalDate,
      latestClinicalDate: latest,
    });
  }
  return [{ type: 'SubjectWithdrawn', data: { withdrawalDate, reason } }];
};

/**
 * `RecordDeath`: accepted after withdrawal too (vital-status follow-up); nothing recorded is dated after it.
 * A subject who withdrew before enrollment is followed for vital status as well: the death is a fact and is
 * recorded (on or after the withdrawal), but the subject stays `withdrawn-before-enrollment` — never enrolled,
 * so never in the PFS analysis set. A screened subject neither enrolled nor withdrawn is refused
 * (`SUBJECT.NOT_ENROLLED`): the site records the end of participation first.
 */
export const decideRecordDeath: ClinicalDecision<RecordDeathPayload> = (facts, payload, ctx) => {
  const p = requirePayload(payload, PAYLOAD_FIELDS.RecordDeath);
  const deathDate = pastDate(p, 'deathDate', ctx.today);
  const cause = text(p, 'cause');
  const withdrawnBeforeEnrollment = facts.enrollment === null && facts.withdrawal !== null;
  const enrollment = withdrawnBeforeEnrollment ? null : requireEnrolled(facts, ctx.subjectId);
  if (facts.death) refuse('SUBJECT.DEAD', `Subject ${ctx.subjectId}'s death is already recorded (${facts.death.date})`, { deathDate: facts.death.date });
  if (enrollment) notBeforeEnrollment(enrollment, deathDate, 'deathDate');
  const latest = latestDate(facts.latestClinicalDate, facts.withdrawal?.date);
  if (latest && compareDates(deathDate, latest) < 0) {
    refuse('DEATH.BEFORE_RECORDED_FACT', `Death (${deathDate}) cannot precede recorded data dated ${latest}`, { deathDate, latestClinicalDate: latest });
  }
  return [{ type: 'SubjectDied', data: { deathDate, cause } }];
};
