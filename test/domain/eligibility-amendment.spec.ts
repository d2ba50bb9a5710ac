import { DomainError, loadDefaultProtocol, type ProtocolDocument } from '@trial-ledger/domain';
import { clinicalReadModels, foldProjection, getCasebook, testing, type ClinicalState } from '@trial-ledger/projections';

/**
 * An amendment of the eligibility criteria applies to the assessments made under it, not to subjects
 * already assessed: a correction of an eligibility assessment (or a re-check of it after an earlier
 * entry is corrected) judges it by the criteria of the protocol version it was recorded under.
 */
const STUDY = 'OCTR-GEPNET-04';
const protocol = (version: number, eligibility: Partial<ProtocolDocument['eligibility']> = {}): ProtocolDocument => {
  const seed = loadDefaultProtocol();
  return { ...seed, studyId: STUDY, version, eligibility: { ...seed.eligibility, primarySites: ['pancreas', 'ileum', 'rectum'], maxKi67Percent: 20, ...eligibility } };
};

const refusal = (run: () => unknown): DomainError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal, but the command was recorded');
};

/** S01 assessed (Ki-67 15 %, ECOG 1, age 64) and enrolled under v1; then v2 lowers the Ki-67 maximum to 10 % and raises the minimum age to 70. */
const amendedAfterEnrollment = () => {
  const ledger = new testing.LedgerScenario(STUDY, { now: '2026-11-30T00:00:00.000Z' });
  ledger.registerStudy(protocol(1));
  const s = ledger.subject('S01');
  s.screen('2026-01-02');
  const eligibility = s.failScreening('2026-01-02', { ki67Percent: 15, ecog: 1 });
  s.baseline('2026-01-03', { diameters: [40, 20] });
  s.enrol('2026-01-10');
  ledger.amendProtocol(protocol(2, { maxKi67Percent: 10, minAge: 70 }), 'Stricter Ki-67 and age criteria from amendment 2');
  return { ledger, s, eligibility };
};

describe('eligibility corrected after an amendment of the criteria', () => {
  it('given a subject eligible under v1, when a typo in the ECOG of its assessment is corrected under v2, then the correction is recorded and the subject stays eligible and enrolled', () => {
    const { ledger, s, eligibility } = amendedAfterEnrollment();
    s.correct(eligibility, { ecog: 0 }, 'ECOG 0 per the clinic note');
    const casebook = getCasebook(foldProjection(clinicalReadModels, ledger.projected()) as ClinicalState, STUDY, 'S01')!;
    expect(casebook.eligibility).toMatchObject({ confirmed: true, failedCriteria: [], inputs: { ecog: 0 } });
    expect(casebook.status).toBe('enrolled');
  });

  it('given a subject eligible under v1 (minimum age 18), when the birth year of its screening is corrected under v2 (minimum age 70), then the correction is recorded: the assessment after it is re-checked by v1', () => {
    const { ledger, s } = amendedAfterEnrollment();
    const screening = ledger.events.find((e) => e.type === 'SubjectScreened')!.eventId;
    s.correct(screening, { birthYear: 1961 }, 'birth year per the identity document');
    const casebook = getCasebook(foldProjection(clinicalReadModels, ledger.projected()) as ClinicalState, STUDY, 'S01')!;
    expect(casebook.screening?.birthYear).toBe(1961);
    expect(casebook.eligibility).toMatchObject({ confirmed: true, failedCriteria: [] });
  });

  it('given a subject eligible under v1, when its Ki-67 is corrected to 25 % — above v1’s own maximum — then the correction is still refused: the confirmed eligibility would become a screen failure', () => {
    const { s, eligibility } = amendedAfterEnrollment();
    expect(refusal(() => s.correct(eligibility, { ki67Percent: 25 }, 'Ki-67 25 % per the pathology report')).code).toBe('ENTRY.INVALIDATES_LATER_ENTRY');
  });

  it('given the amendment, when a new subject is assessed with Ki-67 15 %, then the v2 criteria apply: a screen failure naming the age (born 1960) and ki67-above-maximum', () => {
    const { ledger } = amendedAfterEnrollment();
    const t = ledger.subject('S02');
    t.screen('2026-02-01');
    t.failScreening('2026-02-02', { ki67Percent: 15 });
    const casebook = getCasebook(foldProjection(clinicalReadModels, ledger.projected()) as ClinicalState, STUDY, 'S02')!;
    expect(casebook.eligibility?.failedCriteria).toEqual(['age-below-minimum', 'ki67-above-maximum']);
  });
});
