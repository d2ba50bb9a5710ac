import type { StudyEvent } from '../events/event.types';
import { enrolledHistory, screenedHistory, subjectSpec, type History } from './testing/decider-spec';
import { COORDINATOR, MONITOR, meta, STUDY_ID, subjectCommand } from './testing/subject.fixtures';

/** S001 enrolled on 2026-01-05, with diarrhoea (grade 2) from 2026-01-20 reported by the coordinator. */
const withAe = (): History =>
  enrolledHistory().run(subjectCommand('ReportAdverseEvent', { term: 'diarrhoea', onsetDate: '2026-01-20', ctcaeGrade: 2, serious: false, relatedness: 'probably related' }), meta(COORDINATOR));

const outcome = (adverseEventId: string, value: string, endDate?: string | null) =>
  subjectCommand('RecordAdverseEventOutcome', { adverseEventId, outcome: value, ...(endDate !== undefined ? { endDate } : {}) } as never);

const correct = (targetEventId: string, changes: Record<string, unknown>) => subjectCommand('CorrectEntry', { targetEventId, changes, reason: 'per the source document' });
const voidEntry = (targetEventId: string) => subjectCommand('VoidEntry', { targetEventId, reason: 'entered in error' });

describe('RecordAdverseEventOutcome', () => {
  describe('allowed', () => {
    it('given an AE with onset 2026-01-20, when the coordinator records it recovered on 2026-02-03, then AdverseEventOutcomeRecorded with its end date', () => {
      const h = withAe();
      subjectSpec
        .given(h.all())
        .when(outcome(h.idOf('AdverseEventReported'), 'recovered', '2026-02-03'), meta(COORDINATOR))
        .then({ subject: [{ type: 'AdverseEventOutcomeRecorded', data: { adverseEventId: h.idOf('AdverseEventReported'), outcome: 'recovered', endDate: '2026-02-03' } }], study: [] });
    });
    it.each([['recovering'], ['not-recovered'], ['unknown']])('given an AE, when it is recorded %s without an end date, then the outcome is recorded with endDate null', (value) => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), value)).thenMatches({ subject: [{ type: 'AdverseEventOutcomeRecorded', data: { outcome: value, endDate: null } }] });
    });
    it('given an AE, when it is recorded recovered with sequelae on its onset date, then accepted (the end may be the onset day)', () => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'recovered-with-sequelae', '2026-01-20')).thenMatches({ subject: [{ data: { outcome: 'recovered-with-sequelae', endDate: '2026-01-20' } }] });
    });
    it('given an AE recorded recovering, when it is later recorded recovered, then the new outcome is recorded (it supersedes the earlier one)', () => {
      const h = withAe();
      const id = h.idOf('AdverseEventReported');
      h.run(outcome(id, 'recovering'));
      subjectSpec.given(h.all()).when(outcome(id, 'recovered', '2026-03-01')).thenMatches({ subject: [{ data: { adverseEventId: id, outcome: 'recovered', endDate: '2026-03-01' } }] });
      expect(h.run(outcome(id, 'recovered', '2026-03-01')).state().subject.facts.adverseEventOutcomes.map((o) => o.outcome)).toEqual(['recovering', 'recovered']);
    });
    it('given a grade 5 AE and the death on 2026-03-01, when the AE is recorded fatal ending on the date of death, then accepted', () => {
      const h = enrolledHistory()
        .run(subjectCommand('ReportAdverseEvent', { term: 'myocardial infarction', onsetDate: '2026-02-27', ctcaeGrade: 5, serious: true, relatedness: 'not related' }))
        .run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'myocardial infarction' }));
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'fatal', '2026-03-01')).thenMatches({ subject: [{ data: { outcome: 'fatal', endDate: '2026-03-01' } }] });
    });
    it('given a death on 2026-03-01, when another AE is recorded not recovered (ongoing at death), then accepted', () => {
      const h = withAe().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'NET' }));
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'not-recovered')).thenMatches({ subject: [{ data: { outcome: 'not-recovered' } }] });
    });
    it('given S001 only screened with an AE, when its outcome is recorded, then accepted (AEs are followed from consent)', () => {
      const h = screenedHistory().run(subjectCommand('ReportAdverseEvent', { term: 'headache', onsetDate: '2026-01-02', ctcaeGrade: 1, serious: false, relatedness: 'unrelated' }));
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'recovered', '2026-01-03')).thenMatches({ subject: [{ type: 'AdverseEventOutcomeRecorded' }] });
    });
  });

  describe('refused', () => {
    it('given an AE, when a monitor records its outcome, then AUTH.ROLE_NOT_ALLOWED', () => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'recovering'), meta(MONITOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden');
    });
    it('given the study locked, when an outcome is recorded, then STUDY.LOCKED', () => {
      const h = withAe();
      const locked: StudyEvent = { type: 'StudyLocked', data: { studyId: STUDY_ID, reason: 'database lock' } };
      subjectSpec.given([...h.all(), locked]).when(outcome(h.idOf('AdverseEventReported'), 'recovering')).thenError('STUDY.LOCKED');
    });
    it('given no such entry, when an outcome names it, then AE.NOT_FOUND (404)', () =>
      subjectSpec.given(withAe().all()).when(outcome('0190aaaa-0000-7000-8000-000000000000', 'recovering')).thenError('AE.NOT_FOUND', 'not-found'));
    it('given a dose entry, when an outcome names the dose, then AE.NOT_FOUND (not an adverse event)', () => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('SubjectEnrolled'), 'recovering')).thenError('AE.NOT_FOUND', 'not-found');
    });
    it('given an AE voided, when its outcome is recorded, then AE.VOIDED', () => {
      const h = withAe();
      const id = h.idOf('AdverseEventReported');
      subjectSpec.given(h.run(voidEntry(id), meta(COORDINATOR)).all()).when(outcome(id, 'recovered', '2026-02-03')).thenErrorWith('AE.VOIDED', { adverseEventId: id });
    });
    it('given nobody screened, when an outcome is recorded, then SUBJECT.NOT_FOUND', () =>
      subjectSpec.given(screenedHistory().all().slice(0, 1)).when(outcome('e1', 'recovering')).thenError('SUBJECT.NOT_FOUND'));
    it.each([['recovered'], ['recovered-with-sequelae'], ['fatal']])('given an AE, when it is recorded %s without an end date, then AE.END_DATE_REQUIRED', (value) => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), value)).thenError('AE.END_DATE_REQUIRED', 'validation');
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), value, null)).thenError('AE.END_DATE_REQUIRED', 'validation');
    });
    it.each([['recovering'], ['not-recovered'], ['unknown']])('given an AE, when it is recorded %s with an end date, then AE.END_DATE_NOT_ALLOWED', (value) => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), value, '2026-02-03')).thenError('AE.END_DATE_NOT_ALLOWED', 'validation');
    });
    it('given an AE, when the outcome is "resolved" (not a code of the list), then VALIDATION.INVALID_ENUM', () => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'resolved', '2026-02-03')).thenError('VALIDATION.INVALID_ENUM', 'validation');
    });
    it('given an AE, when the end date is not a calendar date or lies in the future, then VALIDATION.INVALID_DATE / VALIDATION.FUTURE_DATE', () => {
      const h = withAe();
      const id = h.idOf('AdverseEventReported');
      subjectSpec.given(h.all()).when(outcome(id, 'recovered', '2026-02-30')).thenError('VALIDATION.INVALID_DATE');
      subjectSpec.given(h.all()).when(outcome(id, 'recovered', '2026-08-01')).thenError('VALIDATION.FUTURE_DATE');
    });
    it('given an AE, when the payload has no adverseEventId or an unknown field, then VALIDATION.REQUIRED / VALIDATION.UNKNOWN_FIELD', () => {
      subjectSpec.given(withAe().all()).when(subjectCommand('RecordAdverseEventOutcome', { outcome: 'recovering' } as never)).thenError('VALIDATION.REQUIRED');
      const h = withAe();
      subjectSpec.given(h.all()).when(subjectCommand('RecordAdverseEventOutcome', { adverseEventId: h.idOf('AdverseEventReported'), outcome: 'recovering', aeEndDate: '2026-02-01' } as never)).thenError('VALIDATION.UNKNOWN_FIELD');
    });
    it('given an AE with onset 2026-01-20, when it is recorded recovered on 2026-01-19, then AE.END_BEFORE_ONSET', () => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'recovered', '2026-01-19')).thenErrorWith('AE.END_BEFORE_ONSET', { onsetDate: '2026-01-20', endDate: '2026-01-19' });
    });
    it('given a death on 2026-03-01, when an AE is recorded recovered on 2026-03-02, then SUBJECT.DEAD', () => {
      const h = withAe().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'NET' }));
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'recovered', '2026-03-02')).thenError('SUBJECT.DEAD');
    });
    it('given a withdrawal on 2026-03-01, when an AE is recorded recovered on 2026-03-02, then SUBJECT.WITHDRAWN', () => {
      const h = withAe().run(subjectCommand('WithdrawSubject', { withdrawalDate: '2026-03-01', reason: 'consent-withdrawn' }));
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'recovered', '2026-03-02')).thenError('SUBJECT.WITHDRAWN');
    });
    it('given no death on record, when an AE is recorded fatal, then AE.FATAL_WITHOUT_DEATH', () => {
      const h = withAe();
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'fatal', '2026-03-01')).thenError('AE.FATAL_WITHOUT_DEATH');
    });
    it('given a non-serious AE and the death on 2026-03-01, when the AE is recorded fatal on the date of death, then AE.FATAL_NOT_SERIOUS (an AE that results in death is serious)', () => {
      const h = withAe().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'NET' }));
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'fatal', '2026-03-01')).thenErrorWith('AE.FATAL_NOT_SERIOUS', { adverseEventId: h.idOf('AdverseEventReported') });
    });
    it('given a death on 2026-03-01, when an AE is recorded fatal ending 2026-02-20, then AE.FATAL_END_NOT_DEATH_DATE', () => {
      const h = withAe().run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'NET' }));
      subjectSpec.given(h.all()).when(outcome(h.idOf('AdverseEventReported'), 'fatal', '2026-02-20')).thenErrorWith('AE.FATAL_END_NOT_DEATH_DATE', { deathDate: '2026-03-01', endDate: '2026-02-20' });
    });
  });

  describe('no-op', () => {
    it('given an AE recorded recovering, when recovering is recorded again, then AE.OUTCOME_UNCHANGED and nothing is written', () => {
      const h = withAe();
      const id = h.idOf('AdverseEventReported');
      subjectSpec.given(h.run(outcome(id, 'recovering')).all()).when(outcome(id, 'recovering')).thenError('AE.OUTCOME_UNCHANGED');
    });
    it('given an AE recorded recovered on 2026-02-03, when recovered on 2026-02-04 is recorded, then accepted (the end date changed)', () => {
      const h = withAe();
      const id = h.idOf('AdverseEventReported');
      subjectSpec.given(h.run(outcome(id, 'recovered', '2026-02-03')).all()).when(outcome(id, 'recovered', '2026-02-04')).thenMatches({ subject: [{ data: { endDate: '2026-02-04' } }] });
    });
  });

  describe('corrections and voids', () => {
    const recovered = () => {
      const h = withAe();
      const ae = h.idOf('AdverseEventReported');
      h.run(outcome(ae, 'recovered', '2026-02-03'), meta(COORDINATOR));
      return { h, ae, id: h.idOf('AdverseEventOutcomeRecorded') };
    };
    it('given an outcome recovered on 2026-02-03, when its end date is corrected to 2026-02-05, then EntryCorrected with before and after', () => {
      const { h, id } = recovered();
      subjectSpec.given(h.all()).when(correct(id, { endDate: '2026-02-05' }), meta(COORDINATOR)).thenMatches({
        subject: [{ type: 'EntryCorrected', data: { targetEventId: id, targetType: 'AdverseEventOutcomeRecorded', before: { endDate: '2026-02-03' }, after: { endDate: '2026-02-05' } } }],
      });
    });
    it('given an outcome recovered, when corrected to recovering with its end date cleared, then EntryCorrected; corrected to recovering alone, then AE.END_DATE_NOT_ALLOWED', () => {
      const { h, id } = recovered();
      subjectSpec.given(h.all()).when(correct(id, { outcome: 'recovering', endDate: null }), meta(COORDINATOR)).thenMatches({
        subject: [{ type: 'EntryCorrected', data: { before: { outcome: 'recovered', endDate: '2026-02-03' }, after: { outcome: 'recovering', endDate: null } } }],
      });
      subjectSpec.given(h.all()).when(correct(id, { outcome: 'recovering' }), meta(COORDINATOR)).thenError('AE.END_DATE_NOT_ALLOWED');
    });
    it('given an outcome, when its end date is corrected before the onset, then AE.END_BEFORE_ONSET (the corrected entry satisfies the same rules)', () => {
      const { h, id } = recovered();
      subjectSpec.given(h.all()).when(correct(id, { endDate: '2026-01-10' }), meta(COORDINATOR)).thenError('AE.END_BEFORE_ONSET');
    });
    it('given an outcome ending 2026-02-03, when the AE onset is corrected to 2026-02-10, then ENTRY.INVALIDATES_LATER_ENTRY naming the outcome', () => {
      const { h, ae, id } = recovered();
      subjectSpec.given(h.all()).when(correct(ae, { onsetDate: '2026-02-10' }), meta(COORDINATOR)).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { laterEventId: id, cause: 'AE.END_BEFORE_ONSET' });
    });
    it('given an AE with an outcome, when the AE is voided, then ENTRY.INVALIDATES_LATER_ENTRY; after the outcome is voided, the AE may be voided', () => {
      const { h, ae, id } = recovered();
      subjectSpec.given(h.all()).when(voidEntry(ae), meta(COORDINATOR)).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { laterEventId: id, cause: 'AE.VOIDED' });
      subjectSpec.given(h.run(voidEntry(id), meta(COORDINATOR)).all()).when(voidEntry(ae), meta(COORDINATOR)).thenMatches({ subject: [{ type: 'EntryVoided', data: { targetEventId: ae } }] });
    });
    it('given recovering then recovered, when the later outcome is voided, then the AE is current recovering again', () => {
      const h = withAe();
      const ae = h.idOf('AdverseEventReported');
      h.run(outcome(ae, 'recovering')).run(outcome(ae, 'recovered', '2026-02-03'));
      const state = h.run(voidEntry(h.idOf('AdverseEventOutcomeRecorded', 2)), meta(COORDINATOR)).state();
      expect(state.subject.facts.adverseEventOutcomes.map((o) => o.outcome)).toEqual(['recovering']);
    });
    it('given a fatal outcome on the date of death, when the death date is corrected, then ENTRY.INVALIDATES_LATER_ENTRY (void the outcome, correct the death, record it again)', () => {
      const h = enrolledHistory()
        .run(subjectCommand('ReportAdverseEvent', { term: 'myocardial infarction', onsetDate: '2026-02-27', ctcaeGrade: 5, serious: true, relatedness: 'not related' }))
        .run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'myocardial infarction' }));
      h.run(outcome(h.idOf('AdverseEventReported'), 'fatal', '2026-03-01'));
      subjectSpec.given(h.all()).when(correct(h.idOf('SubjectDied'), { deathDate: '2026-03-02' })).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'AE.FATAL_END_NOT_DEATH_DATE' });
      subjectSpec.given(h.all()).when(voidEntry(h.idOf('SubjectDied'))).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'AE.FATAL_WITHOUT_DEATH' });
    });
    it('given a serious AE recorded fatal on the date of death, when the AE is corrected to not serious, then ENTRY.INVALIDATES_LATER_ENTRY (cause AE.FATAL_NOT_SERIOUS)', () => {
      const h = enrolledHistory()
        .run(subjectCommand('ReportAdverseEvent', { term: 'sepsis', onsetDate: '2026-02-27', ctcaeGrade: 4, serious: true, relatedness: 'not related' }))
        .run(subjectCommand('RecordDeath', { deathDate: '2026-03-01', cause: 'sepsis' }));
      h.run(outcome(h.idOf('AdverseEventReported'), 'fatal', '2026-03-01'));
      subjectSpec.given(h.all()).when(correct(h.idOf('AdverseEventReported'), { serious: false })).thenErrorWith('ENTRY.INVALIDATES_LATER_ENTRY', { cause: 'AE.FATAL_NOT_SERIOUS' });
    });
    it('given an AE recovered on 2026-02-03, when a death dated 2026-02-01 is recorded, then DEATH.BEFORE_RECORDED_FACT (the end date is a clinical date)', () => {
      const { h } = recovered();
      subjectSpec.given(h.all()).when(subjectCommand('RecordDeath', { deathDate: '2026-02-01', cause: 'NET' })).thenError('DEATH.BEFORE_RECORDED_FACT');
    });
    it('given an outcome entered by the coordinator, when a monitor corrects it, then AUTH.ROLE_NOT_ALLOWED', () => {
      const { h, id } = recovered();
      subjectSpec.given(h.all()).when(correct(id, { endDate: '2026-02-05' }), meta(MONITOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden');
    });
  });
});
