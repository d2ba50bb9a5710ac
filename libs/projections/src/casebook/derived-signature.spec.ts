import { signatureStatus, subjectStreamId } from '@trial-ledger/domain';
import { clinicalReadModels, getCasebook } from '../clinical-read-models.projection';
import { foldProjection } from '../projection';
import { LedgerScenario } from '../testing';

const STUDY = 'LANR-HGNET-01';

const scenario = () => {
  const ledger = new LedgerScenario(STUDY);
  ledger.registerStudy();
  const s = ledger.subject('S001');
  const baseline = s.baseline('2026-01-02', { diameters: [50] });
  s.enrol('2026-01-05');
  const followUp = s.followUp('2026-03-30', { diameters: [30] });
  return { ledger, s, baseline, followUp };
};

/** The casebook's view (folded state) and the export's (recorded events) judge every signature alike. */
const signaturesOf = (ledger: LedgerScenario) => {
  const casebook = getCasebook(foldProjection(clinicalReadModels, ledger.projected()), STUDY, 'S001')!;
  const fromEvents = signatureStatus(ledger.streamEvents(subjectStreamId(STUDY, 'S001')));
  expect(fromEvents.map((s) => [s.signatureEventId, s.status, s.supersededBy])).toEqual(casebook.signatures.map((s) => [s.eventId, s.status, s.supersededBy]));
  return casebook;
};

/**
 * Part 11 §11.70: what a signed scan reads includes the response RECIST derives for it from the baseline and the
 * scans before it. A monitor reviewed "PR" (30 mm against a 50 mm baseline); the baseline corrected to 35 mm makes
 * the same scan read SD — the review must not stay valid over a response it never saw.
 */
describe('signatures over tumour assessments follow what RECIST derives for them', () => {
  it('given a review of a follow-up scan, then a later correction of its baseline supersedes it (and the response it reads has changed)', () => {
    const { ledger, s, baseline, followUp } = scenario();
    s.signRecord(followUp, 'review');
    expect(signaturesOf(ledger).assessments.find((a) => a.eventId === followUp)?.overallResponse).toBe('PR');
    const correction = s.correct(baseline, { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 35, nodal: false }] }, 'radiology re-read');
    const casebook = signaturesOf(ledger);
    expect(casebook.assessments.find((a) => a.eventId === followUp)?.overallResponse).toBe('SD');
    expect(casebook.signatures[0]).toMatchObject({ scope: { eventId: followUp }, status: 'superseded', supersededBy: [correction] });
  });

  it('given a review of a follow-up scan, then a scan dated before it but recorded after the signature supersedes it', () => {
    const { ledger, s, followUp } = scenario();
    s.signRecord(followUp, 'review');
    const late = s.followUp('2026-02-15', { diameters: [28] });
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ status: 'superseded', supersededBy: [late] });
  });

  it('given a review of a follow-up scan, then a correction of the baseline that no response reads (its modality) leaves it valid', () => {
    const { ledger, s, baseline, followUp } = scenario();
    s.signRecord(followUp, 'review');
    s.correct(baseline, { modality: 'MRI' }, 'modality mis-keyed');
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ status: 'valid', supersededBy: [] });
  });

  it('given a review of a follow-up scan, then the next routine scan, dated after it, leaves it valid', () => {
    const { ledger, s, followUp } = scenario();
    s.signRecord(followUp, 'review');
    s.followUp('2026-06-22', { diameters: [29] });
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ status: 'valid', supersededBy: [] });
  });

  it('given a casebook approval, then a late scan dated before a covered follow-up supersedes it, and a later routine scan does not', () => {
    const { ledger, s } = scenario();
    s.sign('approval');
    s.followUp('2026-06-22', { diameters: [29] });
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ status: 'valid' });
    const late = s.followUp('2026-02-15', { diameters: [28] });
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ status: 'superseded', supersededBy: [late] });
  });
});

/** A dose's window is derived from the dose of the cycle before it: a signature over a dose follows that too. */
describe('signatures over doses follow the window derived for them', () => {
  const doses = () => {
    const ledger = new LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    s.enrol('2026-01-05');
    const first = s.dose(1, '2026-01-06');
    const second = s.dose(2, '2026-02-03');
    return { ledger, s, first, second };
  };

  it('given a review of cycle 2, then a later correction of the cycle 1 date (which moves cycle 2 off its window) supersedes it', () => {
    const { ledger, s, first, second } = doses();
    s.signRecord(second, 'review');
    expect(signaturesOf(ledger).doses.find((d) => d.eventId === second)?.withinWindow).toBe(true);
    const correction = s.correct(first, { administeredOn: '2026-01-12' }, 'date misread from the source');
    const casebook = signaturesOf(ledger);
    expect(casebook.doses.find((d) => d.eventId === second)?.withinWindow).toBe(false);
    expect(casebook.signatures[0]).toMatchObject({ scope: { eventId: second }, status: 'superseded', supersededBy: [correction] });
  });

  it('given a review of cycle 1, then a later correction of the enrollment date (which moves cycle 1 off its window) supersedes it', () => {
    const { ledger, s, first } = doses();
    s.signRecord(first, 'review');
    expect(signaturesOf(ledger).doses.find((d) => d.eventId === first)?.withinWindow).toBe(true);
    const enrollment = getCasebook(foldProjection(clinicalReadModels, ledger.projected()), STUDY, 'S001')!.enrollment!.eventId;
    const correction = s.correct(enrollment, { enrollmentDate: '2025-12-29' }, 'date transposed on the source');
    const casebook = signaturesOf(ledger);
    expect(casebook.doses.find((d) => d.eventId === first)?.withinWindow).toBe(false);
    expect(casebook.signatures[0]).toMatchObject({ scope: { eventId: first }, status: 'superseded', supersededBy: [correction] });
  });

  it('given a review of cycle 1, then the next cycle recorded leaves it valid', () => {
    const { ledger, s, first } = doses();
    s.signRecord(first, 'review');
    s.dose(3, '2026-03-03');
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ status: 'valid', supersededBy: [] });
  });
});

/**
 * Cycle 1's window and the baseline's window are derived from the enrollment date: a corrected enrollment date
 * (`RosterEnrollmentDateCorrected` with the subject's `EntryCorrected`) moves them, and with them what a
 * review of that dose or that baseline read (its window, its deviation). A window derived from an earlier dose,
 * or a follow-up's RECIST response, does not read the enrollment date.
 */
describe('signatures over doses and the baseline follow a corrected enrollment date', () => {
  const enrolled = () => {
    const ledger = new LedgerScenario(STUDY);
    ledger.registerStudy();
    const s = ledger.subject('S001');
    const baseline = s.baseline('2026-01-02', { diameters: [50] });
    const enrollment = s.enrol('2026-01-05');
    const first = s.dose(1, '2026-01-06');
    const second = s.dose(2, '2026-02-03');
    const followUp = s.followUp('2026-03-30', { diameters: [30] });
    return { ledger, s, baseline, enrollment, first, second, followUp };
  };

  it('given a review of cycle 1, then a corrected enrollment date (which moves its window) supersedes it', () => {
    const { ledger, s, enrollment, first } = enrolled();
    s.signRecord(first, 'review');
    const before = signaturesOf(ledger).doses.find((d) => d.eventId === first)?.window;
    const correction = s.correct(enrollment, { enrollmentDate: '2026-01-03' }, 'enrollment date misread from the source');
    const casebook = signaturesOf(ledger);
    expect(casebook.doses.find((d) => d.eventId === first)?.window).not.toEqual(before);
    expect(casebook.signatures[0]).toMatchObject({ scope: { eventId: first }, status: 'superseded', supersededBy: [correction] });
  });

  it('given a review of the baseline scan, then a corrected enrollment date (which moves its window) supersedes it', () => {
    const { ledger, s, baseline, enrollment } = enrolled();
    s.signRecord(baseline, 'review');
    const correction = s.correct(enrollment, { enrollmentDate: '2026-01-04' }, 'enrollment date misread from the source');
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ scope: { eventId: baseline }, status: 'superseded', supersededBy: [correction] });
  });

  it('given reviews of cycle 2 (its window runs from cycle 1) and of a follow-up scan, then a corrected enrollment date leaves them valid', () => {
    const { ledger, s, enrollment, second, followUp } = enrolled();
    s.signRecord(second, 'review');
    s.signRecord(followUp, 'review');
    s.correct(enrollment, { enrollmentDate: '2026-01-04' }, 'enrollment date misread from the source');
    expect(signaturesOf(ledger).signatures.map((sig) => sig.status)).toEqual(['valid', 'valid']);
  });

  it('given a review of cycle 2 with cycle 1 voided (its window then runs from enrollment), then a corrected enrollment date supersedes it', () => {
    const { ledger, s, enrollment, first, second } = enrolled();
    s.void(first, 'entered for the wrong subject');
    s.signRecord(second, 'review');
    const correction = s.correct(enrollment, { enrollmentDate: '2026-01-04' }, 'enrollment date misread from the source');
    expect(signaturesOf(ledger).signatures[0]).toMatchObject({ scope: { eventId: second }, status: 'superseded', supersededBy: [correction] });
  });
});
