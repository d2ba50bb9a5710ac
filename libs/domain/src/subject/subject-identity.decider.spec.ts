import type { StudyEvent } from '../events/event.types';
import { eligibleHistory, screenedHistory, studyRegistered, subjectSpec } from './testing/decider-spec';
import { COORDINATOR, eligibility, meta, screening, subjectCommand } from './testing/subject.fixtures';

/** S900 enrolled: its line on the study roster, which every subject command reads. */
const s900Rostered: StudyEvent = { type: 'SubjectAddedToRoster', data: { subjectId: 'S900', subjectNumber: 1, enrollmentDate: '2026-01-05' } };
const dose = { cycle: 1, administeredOn: '2026-01-06', doseMg: 120, route: 'deep-sc', lotNumber: 'L', injectionSite: 'buttock' } as const;

describe('subject identity — ids that differ only in letter case name one subject', () => {
  it('given S900 on the roster, when s900 is screened, then SUBJECT.ID_CONFUSABLE (409) naming S900', () =>
    subjectSpec
      .given([studyRegistered(), s900Rostered])
      .when(subjectCommand('ScreenSubject', screening(), 's900'), meta(COORDINATOR))
      .thenErrorWith('SUBJECT.ID_CONFUSABLE', { subjectId: 's900', existingSubjectId: 'S900' }));

  it('given S900 on the roster, when s900 is screened, then the refusal is a conflict', () =>
    subjectSpec.given([studyRegistered(), s900Rostered]).when(subjectCommand('ScreenSubject', screening(), 's900'), meta(COORDINATOR)).thenError('SUBJECT.ID_CONFUSABLE', 'conflict'));

  it.each(['S9000', 'S90', 'S901'])('given S900 on the roster, when %s (not the same id in any case) is screened, then SubjectScreened', (subjectId) =>
    subjectSpec
      .given([studyRegistered(), s900Rostered])
      .when(subjectCommand('ScreenSubject', screening(), subjectId), meta(COORDINATOR))
      .thenMatches({ subject: [{ type: 'SubjectScreened', data: { subjectId } }], study: [] }));

  it('given S900 on the roster, when a dose is recorded for s900, then SUBJECT.NOT_FOUND with S900 as the hint', () =>
    subjectSpec
      .given([studyRegistered(), s900Rostered])
      .when(subjectCommand('RecordDose', dose, 's900'))
      .thenErrorWith('SUBJECT.NOT_FOUND', { subjectId: 's900', existingSubjectId: 'S900' }));

  it('given s900 screened before ids were compared without case and S900 on the roster, when s900 is assessed, then it is decided as its own subject', () =>
    subjectSpec
      .given([...screenedHistory('s900').all(), s900Rostered])
      .when(subjectCommand('AssessEligibility', eligibility(), 's900'))
      .thenMatches({ subject: [{ type: 'EligibilityConfirmed' }] }));

  it('given s900 screened and S900 on the roster, when s900 is screened again, then SUBJECT.ALREADY_SCREENED (nothing new)', () =>
    subjectSpec
      .given([...screenedHistory('s900').all(), s900Rostered])
      .when(subjectCommand('ScreenSubject', screening(), 's900'), meta(COORDINATOR))
      .thenError('SUBJECT.ALREADY_SCREENED'));

  it('given s900 screened and eligible and S900 on the roster, when s900 is enrolled, then SUBJECT.ID_CONFUSABLE naming S900: the roster never holds both', () =>
    subjectSpec
      .given([...eligibleHistory('s900').all(), s900Rostered])
      .when(subjectCommand('EnrollSubject', { enrollmentDate: '2026-01-10' }, 's900'))
      .thenErrorWith('SUBJECT.ID_CONFUSABLE', { subjectId: 's900', existingSubjectId: 'S900' }));
});
