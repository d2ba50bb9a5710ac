import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { baselineAssessment, COORDINATOR, ENROLLMENT_DATE, followUp, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';
import { formOf, odmElements, subjectLedgerPerTest, type OdmElement } from './support/odm-subject-ledger';

/**
 * A scan's SOD and responses are derived against the scans dated before it. When an earlier scan is
 * corrected the casebook (and PFS) re-derive the later ones; the ODM export carries the change as an
 * Update of the later scan's derived items, audited to the event that moved them, so the last value the
 * file gives each of them is the casebook's.
 */
describe('ODM export: RECIST figures moved by another entry', () => {
  const ledger = subjectLedgerPerTest('tl-odm-recist-', '2026-08-30T12:00:00.000Z', async ({ run, as }) => {
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
  });
  const { run, as } = ledger;

  /** The last value the file gives each derived item of the scan form `repeatKey`. */
  const lastFigures = (doc: OdmElement, repeatKey: number): Record<string, string | null> => {
    const items = odmElements(doc, 'ItemData').filter(
      (i) => /^IT\.TUMORASSESSMENTRECORDED\.(SUMOFDIAMETERSMM|TARGETRESPONSE|OVERALLRESPONSE)$/.test(i.getAttribute('ItemOID')!) && formOf(i).getAttribute('FormRepeatKey') === String(repeatKey),
    );
    return Object.fromEntries(items.map((i) => [i.getAttribute('ItemOID')!.replace('IT.TUMORASSESSMENTRECORDED.', '').toLowerCase(), i.getAttribute('Value')]));
  };

  it('given a PR (SOD 35) then a PD from that nadir (42), when the PR scan is corrected to 50 mm, then the later scan is updated to SD, audited to the correction', async () => {
    const first = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-03-30', 21, 14)), as(COORDINATOR))).events[0];
    const second = (await run(subjectCommand('RecordTumorAssessment', followUp('2026-06-22', 26, 16)), as(COORDINATOR))).events[0];
    expect(second.data).toMatchObject({ sumOfDiametersMm: 42, overallResponse: 'PD' });
    const correction = (
      await run(
        subjectCommand('CorrectEntry', {
          targetEventId: first.eventId,
          changes: { targetLesions: [{ lesionId: 'L1', organ: 'liver', diameterMm: 30, nodal: false }, { lesionId: 'L2', organ: 'liver', diameterMm: 20, nodal: false }] },
          reason: 'measured on the wrong series',
        }),
        as(COORDINATOR),
      )
    ).events[0];

    const { xml, doc } = await ledger.exportDocument();

    expect(lastFigures(doc, second.streamVersion)).toEqual({ sumofdiametersmm: '42', targetresponse: 'SD', overallresponse: 'SD' });
    const update = odmElements(doc, 'ItemData').find((i) => i.getAttribute('ItemOID') === 'IT.TUMORASSESSMENTRECORDED.OVERALLRESPONSE' && i.getAttribute('TransactionType') === 'Update' && formOf(i).getAttribute('FormRepeatKey') === String(second.streamVersion))!;
    expect(odmElements(update, 'SourceID')[0].textContent).toBe(correction.eventId);
    expect(odmElements(update, 'ReasonForChange')[0].textContent).toContain('re-derived');
    expect(lastFigures(doc, first.streamVersion)).toMatchObject({ overallresponse: 'SD' });
    expect((await validateOdmXml(xml)).errors.map((e) => e.rawMessage)).toEqual([]);
  });
});
