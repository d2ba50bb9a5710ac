import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { create } from 'xmlbuilder2';
import { exportOdm, ODM_NAMESPACE } from '@trial-ledger/audit';
import { executeCommand, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { clinicalReadModelsAt, getCasebook } from '@trial-ledger/projections';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { ADMIN, baselineAssessment, COORDINATOR, eligibility, ENROLLMENT_DATE, followUp, INVESTIGATOR, registerStudy, screening, STUDY_ID, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';

type El = { getAttribute(name: string): string | null; getElementsByTagNameNS(ns: string, name: string): { length: number; item(i: number): El | null }; textContent: string | null; parentNode: El | null };
const all = (root: El, name: string): El[] => {
  const list = root.getElementsByTagNameNS(ODM_NAMESPACE, name);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as El);
};
const formOf = (item: El): El => item.parentNode!.parentNode as El;
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
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR): CommandEnvelope => ({ actor, source: 'api' });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-odm-recist-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await run(registerStudy(), { actor: ADMIN, source: 'cli' });
    await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility()));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exportDoc = async (): Promise<{ xml: string; doc: El }> => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportOdm(store, out, { clock });
    const xml = Buffer.concat(chunks).toString('utf8');
    return { xml, doc: (create(xml).node as unknown as { documentElement: El }).documentElement };
  };
  /** The last value the file gives each RECIST figure of the assessment form `repeatKey`. */
  const lastFigures = (doc: El, repeatKey: number): Record<string, string | null> => {
    const items = all(doc, 'ItemData').filter((i) => FIGURES.some((f) => i.getAttribute('ItemOID') === `IT.TUMORASSESSMENTRECORDED.${f}`) && formOf(i).getAttribute('FormRepeatKey') === String(repeatKey));
    return Object.fromEntries(items.map((i) => [i.getAttribute('ItemOID')!.replace('IT.TUMORASSESSMENTRECORDED.', ''), i.getAttribute('Value')]));
  };
  const casebookFigures = async (): Promise<Map<number, Record<string, string | null>>> => {
    const { state } = await clinicalReadModelsAt(store, {});
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
    const update = all(doc, 'ItemData').find((i) => i.getAttribute('ItemOID') === 'IT.TUMORASSESSMENTRECORDED.OVERALLRESPONSE' && i.getAttribute('TransactionType') === 'Update')!;
    expect(formOf(update).getAttribute('FormRepeatKey')).toBe(String(later.streamVersion));
    expect(all(update, 'SourceID')[0].textContent).toBe(correction.eventId);
    expect(all(update, 'ReasonForChange')[0].textContent).toContain('re-derived');
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
    expect(all(doc, 'ItemData').filter((i) => i.getAttribute('TransactionType') === 'Update')).toEqual([]);
  });
});
