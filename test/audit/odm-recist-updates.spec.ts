import { clinicalReadModelsAt, getCasebook } from '@trial-ledger/projections';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { baselineAssessment, COORDINATOR, ENROLLMENT_DATE, followUp, STUDY_ID, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';
import { formOf, odmElements, subjectLedgerPerTest, type OdmElement } from './support/odm-subject-ledger';

const FIGURES = ['SUMOFDIAMETERSMM', 'TARGETRESPONSE', 'OVERALLRESPONSE'];

/**
 * A follow-up scan's SOD and responses are derived against the baseline and nadir. When the baseline
 * is corrected (or a scan is entered late, corrected or voided) the figures of the later scans change
 * in the casebook, and PFS with them, without an event of their own; the ODM export carries the change
 * as an Update of those items on the later scan's form, audited to the event that moved them, so the
 * last value of every figure in the file is the casebook's (a progression the casebook no longer shows
 * must not stay in the regulator's copy).
 */
describe('ODM export: RECIST figures re-derived by another entry', () => {
  const ledger = subjectLedgerPerTest('tl-odm-recist-', '2026-06-30T12:00:00.000Z', async ({ run }) => {
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
  });
  const { run, as } = ledger;

  const exportDoc = ledger.exportDocument;
  /** The last value the file gives each RECIST figure of the assessment form `repeatKey`. */
  const lastFigures = (doc: OdmElement, repeatKey: number): Record<string, string | null> => {
    const items = odmElements(doc, 'ItemData').filter((i) => FIGURES.some((f) => i.getAttribute('ItemOID') === `IT.TUMORASSESSMENTRECORDED.${f}`) && formOf(i).getAttribute('FormRepeatKey') === String(repeatKey));
    return Object.fromEntries(items.map((i) => [i.getAttribute('ItemOID')!.replace('IT.TUMORASSESSMENTRECORDED.', ''), i.getAttribute('Value')]));
  };
  const casebookFigures = async (): Promise<Map<number, Record<string, string | null>>> => {
    const { state } = await clinicalReadModelsAt(ledger.store, {});
    const casebook = getCasebook(state, STUDY_ID, 'S001')!;
    const versions = new Map(casebook.entries.map((e) => [e.eventId, e.streamVersion]));
    const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
    return new Map(
      casebook.assessments.map((a) => [versions.get(a.eventId)!, { SUMOFDIAMETERSMM: text(a.sumOfDiametersMm), TARGETRESPONSE: text(a.targetResponse), OVERALLRESPONSE: text(a.overallResponse) }]),
    );
  };

  it('given a follow-up recorded as PD (SOD 50 → 61), when the baseline is corrected to 60 mm, then the follow-up\'s figures are updated to SD, audited to the correction, and every figure ends as the casebook has it', async () => {
    const baseline = (await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR))).events[0];
    const later = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-03-02', 41, 20)), as(COORDINATOR))).events[0];
    expect(later.data).toMatchObject({ overallResponse: 'PD' });
    const correction = (
      await run(subjectCommand('CorrectEntry', {
        targetEventId: baseline.eventId,
        changes: { targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 40, nodal: false }, { lesionId: 'L2', organ: 'liver', diameterMm: 20, nodal: false }] },
        reason: 'baseline L1 misread',
      }), as(COORDINATOR))
    ).events[0];
    const { xml, doc } = await exportDoc();

    const casebook = await casebookFigures();
    expect(casebook.get(later.streamVersion)).toMatchObject({ OVERALLRESPONSE: 'SD' });
    for (const [version, figures] of casebook) expect(lastFigures(doc, version)).toEqual(figures);
    const update = odmElements(doc, 'ItemData').find((i) => i.getAttribute('ItemOID') === 'IT.TUMORASSESSMENTRECORDED.OVERALLRESPONSE' && i.getAttribute('TransactionType') === 'Update')!;
    expect(formOf(update).getAttribute('FormRepeatKey')).toBe(String(later.streamVersion));
    expect(odmElements(update, 'SourceID')[0].textContent).toBe(correction.eventId);
    expect(odmElements(update, 'ReasonForChange')[0].textContent).toContain('re-derived');
    expect((await validateOdmXml(xml)).errors).toEqual([]);
  });

  it('given follow-ups on 03-02 (PR) and 05-04 (PD from the nadir), when the 03-02 scan is voided and a scan dated 04-01 is entered late, then each later scan\'s figures follow and end as the casebook has them', async () => {
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    const first = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-03-02', 15, 10)), as(COORDINATOR))).events[0];
    await run(subjectCommand('RecordTumorAssessment', followUp('2026-05-04', 22, 10)), as(COORDINATOR));
    await run(subjectCommand('VoidEntry', { targetEventId: first.eventId, reason: 'other subject\'s scan' }), as(COORDINATOR));
    await run(subjectCommand('RecordTumorAssessment', followUp('2026-04-01', 30, 25)), as(COORDINATOR));
    const { doc } = await exportDoc();
    const casebook = await casebookFigures();
    for (const [version, figures] of casebook) expect(lastFigures(doc, version)).toEqual(figures);
  });

  it('given a baseline and a follow-up and nothing changed since, then no figure is updated', async () => {
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await run(subjectCommand('RecordTumorAssessment', followUp('2026-03-02', 41, 20)), as(COORDINATOR));
    const { doc } = await exportDoc();
    expect(odmElements(doc, 'ItemData').filter((i) => i.getAttribute('TransactionType') === 'Update')).toEqual([]);
  });
});
