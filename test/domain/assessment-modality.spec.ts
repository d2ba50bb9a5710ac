import { DomainError, loadDefaultProtocol, type ProtocolDocument } from '@trial-ledger/domain';
import { deriveSubjectPfs } from '@trial-ledger/pfs';
import { clinicalReadModels, foldProjection, getCasebook, testing, type ClinicalState, type SubjectCasebook } from '@trial-ledger/projections';

/**
 * A scan on an imaging method the protocol does not list (CT under an MRI-only protocol) was made all the
 * same: RECIST 1.1 accepts CT and MRI, so it is recorded and judged, with a detected deviation, never
 * refused — a progression it shows is a PFS event. Its deviation follows corrections and voids of the scan.
 */
const STUDY = 'MRI-NET-03';
const protocol = (modalities: Array<'CT' | 'MRI'>, version = 1): ProtocolDocument => {
  const seed = loadDefaultProtocol();
  return { ...seed, studyId: STUDY, version, assessments: { ...seed.assessments, modalities, baselineWindowDays: 21, intervalDays: 56, windowDays: 5 } };
};

const casebookOf = (ledger: testing.LedgerScenario): SubjectCasebook => getCasebook(foldProjection(clinicalReadModels, ledger.projected()) as ClinicalState, STUDY, 'S01')!;
const modalityDeviations = (casebook: SubjectCasebook) =>
  casebook.deviations.filter((d) => d.category === 'modality-not-in-protocol').map((d) => [d.deviationDate, d.severity, d.source]);

const enrolled = (modalities: Array<'CT' | 'MRI'>) => {
  const ledger = new testing.LedgerScenario(STUDY, { now: '2026-11-30T00:00:00.000Z' });
  ledger.registerStudy(protocol(modalities));
  const s = ledger.subject('S01');
  return { ledger, s };
};

describe('tumour assessments on an imaging method the protocol does not list', () => {
  it('given an MRI-only protocol, when the baseline and a follow-up showing PD are done on CT, then both are recorded with a minor modality-not-in-protocol deviation and the PD is a PFS event', () => {
    const { ledger, s } = enrolled(['MRI']);
    s.baseline('2026-01-01', { diameters: [40, 20], modality: 'CT' });
    s.enrol('2026-01-10');
    s.followUp('2026-03-06', { diameters: [60, 30], modality: 'CT' });
    const casebook = casebookOf(ledger);
    expect(casebook.assessments.map((a) => [a.assessmentDate, a.modality, a.overallResponse])).toEqual([
      ['2026-01-01', 'CT', null],
      ['2026-03-06', 'CT', 'PD'],
    ]);
    expect(modalityDeviations(casebook)).toEqual([
      ['2026-01-01', 'minor', 'detected'],
      ['2026-03-06', 'minor', 'detected'],
    ]);
    expect(deriveSubjectPfs(casebook, protocol(['MRI']))).toMatchObject({ adt: '2026-03-06', aval: 56, cnsr: 0 });
  });

  it('given a CT follow-up under an MRI-only protocol, when its modality is corrected to MRI, then its deviation is withdrawn in the same append; corrected back to CT, it is detected again', () => {
    const { ledger, s } = enrolled(['MRI']);
    s.baseline('2026-01-01', { diameters: [40, 20], modality: 'MRI' });
    s.enrol('2026-01-10');
    const scan = s.followUp('2026-03-06', { diameters: [40, 20], modality: 'CT' });
    expect(modalityDeviations(casebookOf(ledger))).toEqual([['2026-03-06', 'minor', 'detected']]);
    s.correct(scan, { modality: 'MRI' }, 'the source report says MRI');
    expect(modalityDeviations(casebookOf(ledger))).toEqual([]);
    s.correct(scan, { modality: 'CT' }, 'the radiology report was CT after all');
    expect(modalityDeviations(casebookOf(ledger))).toEqual([['2026-03-06', 'minor', 'detected']]);
  });

  it('given a CT follow-up under an MRI-only protocol, when it is voided, then its deviation goes with it', () => {
    const { ledger, s } = enrolled(['MRI']);
    s.baseline('2026-01-01', { diameters: [40, 20], modality: 'MRI' });
    s.enrol('2026-01-10');
    const scan = s.followUp('2026-03-06', { diameters: [40, 20], modality: 'CT' });
    s.void(scan, 'entered for the wrong subject');
    expect(modalityDeviations(casebookOf(ledger))).toEqual([]);
  });

  it('given CT scans recorded under a protocol listing CT and MRI, amended to MRI only, when one of them is corrected, then the correction is recorded and no deviation is added for the old scan', () => {
    const { ledger, s } = enrolled(['CT', 'MRI']);
    s.baseline('2026-01-01', { diameters: [40, 20] });
    s.enrol('2026-01-10');
    const scan = s.followUp('2026-03-06', { diameters: [40, 20] });
    ledger.amendProtocol(protocol(['MRI'], 2), 'MRI only from amendment 2 on');
    s.correct(scan, { nonTargetStatus: 'present' }, 'non-target lesions present per the radiology report');
    const casebook = casebookOf(ledger);
    expect(casebook.assessments[1]).toMatchObject({ modality: 'CT', nonTargetStatus: 'present', corrected: true });
    expect(modalityDeviations(casebook)).toEqual([]);
  });

  it('given any protocol, when a scan names a method RECIST 1.1 does not measure by (PET), then it is refused and nothing is recorded', () => {
    const { ledger, s } = enrolled(['MRI']);
    s.baseline('2026-01-01', { diameters: [40, 20], modality: 'MRI' });
    const before = ledger.events.length;
    let caught: unknown;
    try {
      s.baseline('2026-01-02', { diameters: [40, 20], modality: 'PET' as 'CT' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe('VALIDATION.INVALID_ENUM');
    expect(ledger.events.length).toBe(before);
  });
});
