import { toRecorded, type Command } from '@trial-ledger/command-pipeline';
import { currentSubjectEntries, foldSubject, loadDefaultProtocol, ruleLookup, subjectStreamId, type DosingRules, type RecordedSubjectEvent } from '@trial-ledger/domain';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { ADMIN, baselineAssessment, COORDINATOR, dose, ENROLLMENT_DATE, STUDY_ID, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';
import { formOf, odmElements, subjectLedgerPerTest, type OdmElement } from './support/odm-subject-ledger';

/**
 * A dose's protocol window is derived from the dose of the cycle below it. When that dose is entered
 * late (or corrected, or voided) the window of the cycle above moves in the casebook; the ODM export
 * carries the move as an Update of the window items of that dose's form, audited to the event that
 * moved it, so the last value of every window item in the file is the casebook's window.
 */
describe('ODM export: dose windows moved by another entry', () => {
  const ledger = subjectLedgerPerTest('tl-odm-window-', '2026-06-30T12:00:00.000Z', async ({ run, as }) => {
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
    await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR));
  });
  const { run, as } = ledger;

  const exportDoc = ledger.exportDocument;
  /** The last value the file gives each window item of the dose form `repeatKey`. */
  const lastWindow = (doc: OdmElement, repeatKey: number): Record<string, string | null> => {
    const items = odmElements(doc, 'ItemData').filter((i) => i.getAttribute('ItemOID')!.startsWith('IT.DOSEADMINISTERED.WINDOW.') && formOf(i).getAttribute('FormRepeatKey') === String(repeatKey));
    return Object.fromEntries(items.map((i) => [i.getAttribute('ItemOID')!.replace('IT.DOSEADMINISTERED.WINDOW.', '').toLowerCase(), i.getAttribute('Value')]));
  };
  const casebookWindows = async (rules: DosingRules = loadDefaultProtocol().treatment): Promise<Map<number, unknown>> => {
    const state = foldSubject((await ledger.store.readStream(subjectStreamId(STUDY_ID, 'S001'))).map((e) => toRecorded(e) as unknown as RecordedSubjectEvent));
    return new Map(
      currentSubjectEntries(state, rules).flatMap((e) => (e.current.type === 'DoseAdministered' ? [[e.streamVersion, e.current.data.window] as [number, unknown]] : [])),
    );
  };

  it('given cycles 1 and 3 (due 2026-03-03 from cycle 1), when cycle 2 is entered late on 02-05, then cycle 3\'s window is updated to due 03-05, audited to the late dose, and every window item ends as the casebook has it', async () => {
    const third = (await run(subjectCommand('RecordDose', dose(3, '2026-03-05')), as(COORDINATOR))).events[0];
    const late = (await run(subjectCommand('RecordDose', dose(2, '2026-02-05')), as(COORDINATOR))).events[0];
    const { xml, doc } = await exportDoc();

    expect(lastWindow(doc, third.streamVersion)).toEqual({ dueon: '2026-03-05', from: '2026-03-02', to: '2026-03-08' });
    const update = odmElements(doc, 'ItemData').find((i) => i.getAttribute('ItemOID') === 'IT.DOSEADMINISTERED.WINDOW.DUEON' && i.getAttribute('TransactionType') === 'Update')!;
    expect(formOf(update).getAttribute('FormRepeatKey')).toBe(String(third.streamVersion));
    expect(odmElements(update, 'SourceID')[0].textContent).toBe(late.eventId);
    expect(odmElements(update, 'ReasonForChange')[0].textContent).toContain('derived');
    for (const [version, window] of await casebookWindows()) {
      const w = window as { dueOn: string; from: string; to: string };
      expect(lastWindow(doc, version)).toEqual({ dueon: w.dueOn, from: w.from, to: w.to });
    }
    expect((await validateOdmXml(xml)).errors).toEqual([]);
  });

  it('given cycles 1 and 2, when the protocol\'s interval is amended and cycle 3 is recorded, then no earlier window is updated (each stays as it was judged)', async () => {
    await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR));
    const protocol = loadDefaultProtocol();
    await run({ type: 'AmendProtocol', studyId: STUDY_ID, payload: { protocol: { ...protocol, version: 2, treatment: { ...protocol.treatment, intervalDays: 21 } }, reason: 'Amendment 1: every 21 days' } } as Command, { actor: ADMIN, source: 'cli' });
    await run(subjectCommand('RecordDose', dose(3, '2026-02-24')), as(COORDINATOR));
    const { doc } = await exportDoc();
    expect(odmElements(doc, 'ItemData').filter((i) => i.getAttribute('ItemOID')!.startsWith('IT.DOSEADMINISTERED.WINDOW.') && i.getAttribute('TransactionType') === 'Update')).toEqual([]);
  });

  it('given cycles 1–3 under protocol v1 (28 ± 3) and the interval amended to 21 ± 2, when cycle 2\'s date is corrected and cycle 4 recorded, then cycle 3\'s window moves under v1\'s schedule, cycle 4 has v2\'s, and every window item ends as the casebook has it', async () => {
    const second = (await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR))).events[0];
    const third = (await run(subjectCommand('RecordDose', dose(3, '2026-03-03')), as(COORDINATOR))).events[0];
    const v1 = loadDefaultProtocol();
    const v2 = { ...v1, version: 2, treatment: { ...v1.treatment, intervalDays: 21, windowDays: 2 } };
    await run({ type: 'AmendProtocol', studyId: STUDY_ID, payload: { protocol: v2, reason: 'Amendment 1: every 21 days' } } as Command, { actor: ADMIN, source: 'cli' });
    await run(subjectCommand('CorrectEntry', { targetEventId: second.eventId, changes: { administeredOn: '2026-02-05' }, reason: 'date mistyped' }), as(COORDINATOR));
    const fourth = (await run(subjectCommand('RecordDose', dose(4, '2026-03-26')), as(COORDINATOR))).events[0];
    const { doc } = await exportDoc();
    // Cycle 3 was recorded under v1: from the corrected cycle 2, due 03-05 ± 3 (not 02-26 ± 2).
    expect(lastWindow(doc, third.streamVersion)).toEqual({ dueon: '2026-03-05', from: '2026-03-02', to: '2026-03-08' });
    expect(lastWindow(doc, fourth.streamVersion)).toEqual({ dueon: '2026-03-24', from: '2026-03-22', to: '2026-03-26' });
    for (const [version, window] of await casebookWindows(ruleLookup([{ version: 1, rule: v1.treatment }, { version: 2, rule: v2.treatment }]))) {
      const w = window as { dueOn: string; from: string; to: string };
      expect(lastWindow(doc, version)).toEqual({ dueon: w.dueOn, from: w.from, to: w.to });
    }
  });

  it('given cycles 1–3, when cycle 2\'s date is corrected and then cycle 2 is voided, then cycle 3\'s window follows each change and ends as the casebook has it', async () => {
    const second = (await run(subjectCommand('RecordDose', dose(2, '2026-02-03')), as(COORDINATOR))).events[0];
    await run(subjectCommand('RecordDose', dose(3, '2026-03-03')), as(COORDINATOR));
    await run(subjectCommand('CorrectEntry', { targetEventId: second.eventId, changes: { administeredOn: '2026-02-05' }, reason: 'date mistyped' }), as(COORDINATOR));
    await run(subjectCommand('VoidEntry', { targetEventId: second.eventId, reason: 'other subject' }), as(COORDINATOR));
    const { doc } = await exportDoc();
    const updates = odmElements(doc, 'ItemData').filter((i) => i.getAttribute('ItemOID') === 'IT.DOSEADMINISTERED.WINDOW.DUEON' && i.getAttribute('TransactionType') === 'Update');
    // Cycle 3: due 03-03 → 03-05 (cycle 2 corrected) → 03-03 (cycle 2 voided, due two intervals after cycle 1).
    expect(updates.map((u) => u.getAttribute('Value'))).toEqual(['2026-03-05', '2026-03-03']);
    for (const [version, window] of await casebookWindows()) {
      const w = window as { dueOn: string; from: string; to: string };
      expect(lastWindow(doc, version)).toEqual({ dueon: w.dueOn, from: w.from, to: w.to });
    }
  });
  it('given cycle 1 (due at enrollment, 2026-01-05), when the enrollment date is corrected to 01-04, then cycle 1\'s window is updated to due 01-04, audited to the correction, and every window item ends as the casebook has it', async () => {
    const enrolled = (await ledger.store.readStream(subjectStreamId(STUDY_ID, 'S001'))).find((e) => e.type === 'SubjectEnrolled')!;
    const first = (await ledger.store.readStream(subjectStreamId(STUDY_ID, 'S001'))).find((e) => e.type === 'DoseAdministered')!;
    const correction = (await run(subjectCommand('CorrectEntry', { targetEventId: enrolled.eventId, changes: { enrollmentDate: '2026-01-04' }, reason: 'date transposed on the source' }))).events[0];
    const { xml, doc } = await exportDoc();
    expect(lastWindow(doc, first.streamVersion)).toEqual({ dueon: '2026-01-04', from: '2026-01-04', to: '2026-01-11' });
    const update = odmElements(doc, 'ItemData').find((i) => i.getAttribute('ItemOID') === 'IT.DOSEADMINISTERED.WINDOW.DUEON' && i.getAttribute('TransactionType') === 'Update')!;
    expect(odmElements(update, 'SourceID')[0].textContent).toBe(correction.eventId);
    expect(odmElements(update, 'ReasonForChange')[0].textContent).toContain('re-derived from the enrollment date');
    for (const [version, window] of await casebookWindows()) {
      const w = window as { dueOn: string; from: string; to: string };
      expect(lastWindow(doc, version)).toEqual({ dueon: w.dueOn, from: w.from, to: w.to });
    }
    expect((await validateOdmXml(xml)).errors).toEqual([]);
  });
});
