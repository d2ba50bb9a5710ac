import { loadDefaultProtocol, protocolProblems, systemQueryDeviations } from '../protocol/protocol.validate';
import { enrolledHistory, History, subjectSpec } from './testing/decider-spec';
import { dose, followUp, subjectCommand } from './testing/subject.fixtures';

/**
 * Doses after documented progression (`dose-after-progression`) or on/after a new anticancer therapy's
 * start (`dose-after-new-therapy`). Enrolled 2026-01-05 with a baseline SOD of 50 mm (30 + 20); a
 * follow-up of 40 + 25 = 65 mm (+30 %, +15 mm) is RECIST 1.1 PD, 30 + 20 is SD.
 */
const recordDose = (cycle: number, on: string) => subjectCommand('RecordDose', dose(cycle, on));
const pdScan = (on: string) => subjectCommand('RecordTumorAssessment', followUp(on, 40, 25));
const sdScan = (on: string) => subjectCommand('RecordTumorAssessment', followUp(on, 30, 20));
const clinicalProgression = (on: string) => subjectCommand('RecordClinicalProgression', { progressionDate: on, basis: 'symptomatic deterioration' });
const newTherapy = (on: string) => subjectCommand('RecordNewAnticancerTherapy', { startDate: on, therapy: 'everolimus' });
const correct = (targetEventId: string, changes: Record<string, unknown>, reason = 'transcription error') => subjectCommand('CorrectEntry', { targetEventId, changes, reason });
const voidEntry = (targetEventId: string, reason = 'entered in error') => subjectCommand('VoidEntry', { targetEventId, reason });

/** Cycles 1–3 on schedule (2026-01-06, 2026-02-03, 2026-03-03). */
const dosedToCycle3 = (): History => enrolledHistory().run(recordDose(1, '2026-01-06')).run(recordDose(2, '2026-02-03')).run(recordDose(3, '2026-03-03'));

type Loose = { type: string; data: unknown };
const ofCategory = (events: readonly Loose[], category: string) =>
  events.filter((e) => e.type === 'ProtocolDeviationDetected' && (e.data as { category: string }).category === category).map((e) => e.data as Record<string, unknown>);
const withdrawnIds = (events: readonly Loose[]): string[] => events.filter((e) => e.type === 'EntryVoided').map((e) => (e.data as { targetEventId: string }).targetEventId);
const withdrawals = (events: readonly Loose[]) => events.filter((e) => e.type === 'EntryVoided').map((e) => e.data as { targetEventId: string; reason: string });
/** The live deviations of the two categories, as the casebook folds them: [category, date, cycle]. */
const standing = (h: History): Array<[string, string, number | null]> =>
  h
    .state()
    .subject.facts.deviations.filter((d) => d.category === 'dose-after-progression' || d.category === 'dose-after-new-therapy')
    .map((d) => [d.category, d.date, d.cycle]);

describe('dose-after-progression', () => {
  it('given RECIST 1.1 PD on 2026-03-30, when cycle 4 is given on 2026-03-31, then a major deviation naming the progression date and source, appended with the dose', () =>
    subjectSpec
      .given(dosedToCycle3().run(pdScan('2026-03-30')).all())
      .when(recordDose(4, '2026-03-31'))
      .then({
        subject: [
          expect.objectContaining({ type: 'DoseAdministered' }),
          {
            type: 'ProtocolDeviationDetected',
            data: {
              deviationDate: '2026-03-31',
              category: 'dose-after-progression',
              description:
                'Cycle 4 given on 2026-03-31, after documented progression on 2026-03-30 (RECIST 1.1 progressive disease (PD) at the tumour assessment of that date); study treatment runs until progression',
              severity: 'major',
              cycle: 4,
            },
          },
        ],
        study: [],
      }));
  it('given RECIST 1.1 PD on 2026-03-31, when cycle 4 is given that same day, then no deviation (the scan is read after the injection: the day of progression is not beyond it)', () =>
    subjectSpec.given(dosedToCycle3().run(pdScan('2026-03-31')).all()).when(recordDose(4, '2026-03-31')).then({ subject: [expect.objectContaining({ type: 'DoseAdministered' })], study: [] }));
  it('given a follow-up with SD on 2026-03-30, when cycle 4 is given after it, then no deviation', () =>
    subjectSpec.given(dosedToCycle3().run(sdScan('2026-03-30')).all()).when(recordDose(4, '2026-03-31')).then({ subject: [expect.objectContaining({ type: 'DoseAdministered' })], study: [] }));
  it('given a clinical progression on 2026-03-20, when cycle 4 is given on 2026-03-31, then the deviation names the clinical progression', () => {
    const decision = subjectSpec.given(dosedToCycle3().run(clinicalProgression('2026-03-20')).all()).when(recordDose(4, '2026-03-31')).result();
    expect(ofCategory(decision.subject, 'dose-after-progression')).toEqual([
      expect.objectContaining({ deviationDate: '2026-03-31', severity: 'major', description: expect.stringContaining('after documented progression on 2026-03-20 (clinical progression recorded for that date)') }),
    ]);
  });
  it('given a clinical progression and RECIST PD on the same day, when a dose follows, then one deviation naming both sources', () => {
    const decision = subjectSpec.given(dosedToCycle3().run(pdScan('2026-03-20')).run(clinicalProgression('2026-03-20')).all()).when(recordDose(4, '2026-03-31')).result();
    expect(ofCategory(decision.subject, 'dose-after-progression').map((d) => d.description)).toEqual([
      expect.stringContaining('progression on 2026-03-20 (RECIST 1.1 progressive disease (PD) at the tumour assessment of that date and clinical progression recorded for that date)'),
    ]);
  });
  it('given cycle 4 given on 2026-03-31, when a PD scan dated 2026-03-30 is keyed in afterwards, then the dose gets its deviation in the same append as the scan, naming the dose', () => {
    const h = dosedToCycle3().run(recordDose(4, '2026-03-31'));
    const decision = subjectSpec.given(h.all()).when(pdScan('2026-03-30')).result();
    expect(decision.subject[0]).toMatchObject({ type: 'TumorAssessmentRecorded', data: { overallResponse: 'PD' } });
    expect(ofCategory(decision.subject, 'dose-after-progression')).toEqual([
      expect.objectContaining({ deviationDate: '2026-03-31', cycle: 4, severity: 'major', relatedEventId: h.idOf('DoseAdministered', 4) }),
    ]);
  });
  it('given cycles 3 and 4 on record, when a clinical progression dated between them is keyed in, then only cycle 4 gets the deviation', () => {
    const h = dosedToCycle3().run(recordDose(4, '2026-03-31'));
    h.run(clinicalProgression('2026-03-10'));
    expect(standing(h)).toEqual([['dose-after-progression', '2026-03-31', 4]]);
  });
  it('whichever order: entering the dose then the scan leaves the same deviation as the scan then the dose', () => {
    const doseFirst = dosedToCycle3().run(recordDose(4, '2026-03-31')).run(pdScan('2026-03-30'));
    const scanFirst = dosedToCycle3().run(pdScan('2026-03-30')).run(recordDose(4, '2026-03-31'));
    const described = (h: History) => h.state().subject.entries.filter((e) => !e.voided && e.current.type === 'ProtocolDeviationDetected').map((e) => ({ ...(e.current.data as object), relatedEventId: undefined }));
    expect(described(doseFirst)).toEqual(described(scanFirst));
    expect(standing(doseFirst)).toEqual([['dose-after-progression', '2026-03-31', 4]]);
  });
  it('given a deviation naming a clinical progression of 2026-03-20, when a PD scan of 2026-03-10 is keyed in, then the deviation is restated with the earlier date', () => {
    const h = dosedToCycle3().run(clinicalProgression('2026-03-20')).run(recordDose(4, '2026-03-31'));
    const deviationId = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(pdScan('2026-03-10')).result();
    expect(withdrawals(decision.subject)).toEqual([{ targetEventId: deviationId, targetType: 'ProtocolDeviationDetected', reason: expect.stringMatching(/^Restated as the entry now reads after the entry of the tumour assessment of 2026-03-10/) }]);
    expect(ofCategory(decision.subject, 'dose-after-progression').map((d) => d.description)).toEqual([expect.stringContaining('progression on 2026-03-10 (RECIST 1.1')]);
  });
  it('given a dose after a PD scan, when the scan is corrected so it is no longer PD, then the deviation is withdrawn in the same append', () => {
    const h = dosedToCycle3().run(pdScan('2026-03-30')).run(recordDose(4, '2026-03-31'));
    const deviationId = h.idOf('ProtocolDeviationDetected');
    const scanId = h.idOf('TumorAssessmentRecorded', 2);
    const change = { targetLesions: followUp('2026-03-30', 30, 20).targetLesions };
    const decision = subjectSpec.given(h.all()).when(correct(scanId, change, 'measured on the wrong series')).result();
    expect(withdrawals(decision.subject)).toEqual([
      { targetEventId: deviationId, targetType: 'ProtocolDeviationDetected', reason: `No longer a deviation after the correction of TumorAssessmentRecorded ${scanId} (measured on the wrong series)` },
    ]);
    expect(ofCategory(decision.subject, 'dose-after-progression')).toEqual([]);
    h.run(correct(scanId, change, 'measured on the wrong series'));
    expect(standing(h)).toEqual([]);
  });
  it('given an SD scan before a dose, when it is corrected to PD, then the dose gets the deviation', () => {
    const h = dosedToCycle3().run(sdScan('2026-03-30')).run(recordDose(4, '2026-03-31'));
    h.run(correct(h.idOf('TumorAssessmentRecorded', 2), { newLesions: true }));
    expect(standing(h)).toEqual([['dose-after-progression', '2026-03-31', 4]]);
  });
  it('given a dose after a clinical progression, when the progression is voided, then the deviation is withdrawn', () => {
    const h = dosedToCycle3().run(clinicalProgression('2026-03-20')).run(recordDose(4, '2026-03-31'));
    const deviationId = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(voidEntry(h.idOf('ClinicalProgressionRecorded'))).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('ClinicalProgressionRecorded'), deviationId]);
  });
  it('given a dose after progression, when the dose date is corrected to the progression date, then the deviation is withdrawn; corrected to a later date, it is restated', () => {
    const h = dosedToCycle3().run(clinicalProgression('2026-03-30')).run(recordDose(4, '2026-03-31'));
    const doseId = h.idOf('DoseAdministered', 4);
    const deviationId = h.idOf('ProtocolDeviationDetected');
    expect(withdrawnIds(subjectSpec.given(h.all()).when(correct(doseId, { administeredOn: '2026-03-30' })).result().subject)).toEqual([deviationId]);
    const later = subjectSpec.given(h.all()).when(correct(doseId, { administeredOn: '2026-04-01' })).result().subject;
    expect(withdrawals(later).map((w) => [w.targetEventId, w.reason.startsWith('Restated')])).toContainEqual([deviationId, true]);
    expect(ofCategory(later, 'dose-after-progression')).toEqual([expect.objectContaining({ deviationDate: '2026-04-01', relatedEventId: doseId })]);
  });
  it('given a dose with its deviation, when the dose is voided, then the deviation is withdrawn once', () => {
    const h = dosedToCycle3().run(clinicalProgression('2026-03-20')).run(recordDose(4, '2026-03-31'));
    const deviationId = h.idOf('ProtocolDeviationDetected');
    const decision = subjectSpec.given(h.all()).when(voidEntry(h.idOf('DoseAdministered', 4))).result();
    expect(withdrawnIds(decision.subject)).toEqual([h.idOf('DoseAdministered', 4), deviationId]);
  });
  it('given PD on 2026-03-20 and treatment discontinued on 2026-03-23, when a dose is given on 2026-03-31, then it carries dose-after-discontinuation and dose-after-progression', () => {
    const h = dosedToCycle3().run(pdScan('2026-03-20')).run(subjectCommand('DiscontinueTreatment', { discontinuationDate: '2026-03-23', reason: 'progressive disease (RECIST 1.1)' }));
    const decision = subjectSpec.given(h.all()).when(recordDose(4, '2026-03-31')).result();
    expect(decision.subject.map((e) => (e.type === 'ProtocolDeviationDetected' ? e.data.category : e.type))).toEqual(['DoseAdministered', 'dose-after-discontinuation', 'dose-after-progression']);
  });
  it('given the deviation voided by hand, when an unrelated progression is entered, then it is not re-detected unasked', () => {
    const h = dosedToCycle3().run(clinicalProgression('2026-03-20')).run(recordDose(4, '2026-03-31'));
    h.run(voidEntry(h.idOf('ProtocolDeviationDetected'), 'judged acceptable by the sponsor'));
    const decision = subjectSpec.given(h.all()).when(clinicalProgression('2026-03-25')).result();
    expect(decision.subject).toEqual([expect.objectContaining({ type: 'ClinicalProgressionRecorded' })]);
  });
});

describe('dose-after-new-therapy', () => {
  it('given everolimus started on 2026-03-31, when cycle 4 is given that same day, then a major deviation (given together)', () => {
    const decision = subjectSpec.given(dosedToCycle3().run(newTherapy('2026-03-31')).all()).when(recordDose(4, '2026-03-31')).result();
    expect(ofCategory(decision.subject, 'dose-after-new-therapy')).toEqual([
      {
        deviationDate: '2026-03-31',
        category: 'dose-after-new-therapy',
        description: 'Cycle 4 given on 2026-03-31, on or after the start of a new anticancer therapy on 2026-03-31, which the protocol prohibits while on study treatment',
        severity: 'major',
        cycle: 4,
      },
    ]);
  });
  it('given a new therapy starting 2026-04-01, when cycle 4 is given the day before, then no deviation', () =>
    subjectSpec.given(dosedToCycle3().run(newTherapy('2026-04-01')).all()).when(recordDose(4, '2026-03-31')).then({ subject: [expect.objectContaining({ type: 'DoseAdministered' })], study: [] }));
  it('given cycles 3 and 4 on record, when a new therapy started on cycle 3\'s date is keyed in, then both doses get the deviation in that append', () => {
    const h = dosedToCycle3().run(recordDose(4, '2026-03-31'));
    const decision = subjectSpec.given(h.all()).when(newTherapy('2026-03-03')).result();
    expect(ofCategory(decision.subject, 'dose-after-new-therapy').map((d) => [d.cycle, d.relatedEventId])).toEqual([
      [3, h.idOf('DoseAdministered', 3)],
      [4, h.idOf('DoseAdministered', 4)],
    ]);
  });
  it('given a dose after a new therapy, when the therapy start is corrected past the dose, then the deviation is withdrawn; corrected back, it is recorded again', () => {
    const h = dosedToCycle3().run(newTherapy('2026-03-20')).run(recordDose(4, '2026-03-31'));
    const therapyId = h.idOf('NewAnticancerTherapyStarted');
    h.run(correct(therapyId, { startDate: '2026-04-02' }));
    expect(standing(h)).toEqual([]);
    h.run(correct(therapyId, { startDate: '2026-03-31' }));
    expect(standing(h)).toEqual([['dose-after-new-therapy', '2026-03-31', 4]]);
  });
  it('given a dose after both progression and a new therapy, then it carries both deviations; voiding the therapy withdraws only its own', () => {
    const h = dosedToCycle3().run(clinicalProgression('2026-03-20')).run(newTherapy('2026-03-25')).run(recordDose(4, '2026-03-31'));
    expect(standing(h)).toEqual([
      ['dose-after-progression', '2026-03-31', 4],
      ['dose-after-new-therapy', '2026-03-31', 4],
    ]);
    h.run(voidEntry(h.idOf('NewAnticancerTherapyStarted')));
    expect(standing(h)).toEqual([['dose-after-progression', '2026-03-31', 4]]);
  });
});

describe('the seed protocol and the two categories', () => {
  it('lists both under monitoring.systemQueryDeviations (each opens a system query) and still validates', () => {
    const protocol = loadDefaultProtocol();
    expect(protocolProblems(protocol)).toEqual([]);
    expect(systemQueryDeviations(protocol)).toEqual(expect.arrayContaining(['dose-after-progression', 'dose-after-new-therapy']));
  });
});
