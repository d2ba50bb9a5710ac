import { addDays, foldStudy, studyStreamId, type StudyEvent } from '@trial-ledger/domain';
import { clinicalReadModels, getStudyOverview, rosterOf, studyKey, type ClinicalDocument } from '../clinical-read-models.projection';
import { applyChanges } from '../projection';
import { LedgerScenario, seedProtocol } from '../testing';

const STUDY = 'LANR-HGNET-01';

/** A study with `subjects` enrolled one after another (positions run past 100, so a text sort of them would differ). */
const enrolled = (subjects: number): LedgerScenario => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy({ ...seedProtocol(), targetEnrollment: 1000 });
  for (let n = 1; n <= subjects; n += 1) ledger.subject(`S${String(n).padStart(3, '0')}`).enrol(addDays('2026-01-05', n % 20));
  return ledger;
};

/** Folds event by event as the runner does, keeping what each roster entry changed and the study row's size after it. */
const foldWatchingRoster = (ledger: LedgerScenario) => {
  const state: Record<string, ClinicalDocument> = {};
  const rosterChanges: string[][] = [];
  const studyRowSizes: number[] = [];
  for (const event of ledger.projected()) {
    const changes = clinicalReadModels.evolve(state, event);
    applyChanges(state, changes);
    if (event.type === 'SubjectAddedToRoster') {
      rosterChanges.push(Object.keys(changes ?? {}).sort());
      studyRowSizes.push(JSON.stringify(state[studyKey(STUDY)]).length);
    }
  }
  return { state, rosterChanges, studyRowSizes };
};

describe('the study roster in the clinical read models', () => {
  it('given 60 enrollments, then each roster entry replaces the study row and adds one roster row, and the study row does not grow', () => {
    const { rosterChanges, studyRowSizes } = foldWatchingRoster(enrolled(60));
    expect(rosterChanges).toHaveLength(60);
    for (const keys of rosterChanges) {
      expect(keys).toHaveLength(2);
      expect(keys).toContain(studyKey(STUDY));
      expect(keys.find((key) => key !== studyKey(STUDY))).toMatch(new RegExp(`^roster/${STUDY}/\\d+$`));
    }
    // The row is the same size for the 1st and the 60th subject (positions aside): it holds no list of subjects.
    expect(Math.max(...studyRowSizes) - Math.min(...studyRowSizes)).toBeLessThanOrEqual(2);
  });

  it('given 120 enrollments, then the roster read from its rows is the domain’s roster, in the order of the study stream', () => {
    const ledger = enrolled(120);
    const { state } = foldWatchingRoster(ledger);
    const domain = foldStudy(ledger.streamEvents(studyStreamId(STUDY)) as unknown as StudyEvent[]);
    if (domain.status === 'unregistered') throw new Error('study not registered');
    expect(rosterOf(state, STUDY)).toEqual(domain.roster);
    expect(getStudyOverview(state, STUDY)?.roster).toEqual(domain.roster);
    expect(domain.roster.map((r) => r.subjectNumber)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('given no enrollment, then the roster is empty and another study’s rows are not read as this one’s', () => {
    const ledger = new LedgerScenario(STUDY);
    ledger.registerStudy();
    const { state } = foldWatchingRoster(ledger);
    expect(rosterOf(state, STUDY)).toEqual([]);
    expect(rosterOf({ ...state, [`roster/${STUDY}-2/7`]: { subjectId: 'X1', subjectNumber: 1, enrollmentDate: '2026-01-05' } }, STUDY)).toEqual([]);
  });
  it('given S002\'s enrollment date corrected, then its roster line (and the overview\'s) reads the corrected date, the others and the order as they were, and the fold equals the domain\'s roster', () => {
    const ledger = enrolled(3);
    const enrolment = ledger.events.filter((e) => e.type === 'SubjectEnrolled')[1];
    ledger.subject('S002').correct(enrolment.eventId, { enrollmentDate: '2026-01-06' }, 'date transposed');
    const { state } = foldWatchingRoster(ledger);
    expect(rosterOf(state, STUDY).map((line) => [line.subjectId, line.enrollmentDate])).toEqual([
      ['S001', '2026-01-06'],
      ['S002', '2026-01-06'],
      ['S003', '2026-01-08'],
    ]);
    expect(getStudyOverview(state, STUDY)?.roster).toEqual(rosterOf(state, STUDY));
    const study = foldStudy(ledger.projected().filter((e) => e.streamId === studyStreamId(STUDY)) as unknown as StudyEvent[]);
    expect(study.status !== 'unregistered' && study.roster).toEqual(rosterOf(state, STUDY));
  });
});
