import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { create } from 'xmlbuilder2';
import { exportOdm, ODM_NAMESPACE } from '@trial-ledger/audit';
import { executeCommand, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { ADMIN, baselineAssessment, COORDINATOR, eligibility, ENROLLMENT_DATE, followUp, INVESTIGATOR, registerStudy, screening, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';

type El = { getAttribute(name: string): string | null; getElementsByTagNameNS(ns: string, name: string): { length: number; item(i: number): El | null }; textContent: string | null; parentNode: El | null };
const all = (root: El, name: string): El[] => {
  const list = root.getElementsByTagNameNS(ODM_NAMESPACE, name);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as El);
};
const formOf = (item: El): El => item.parentNode!.parentNode as El;

/**
 * A scan's SOD and responses are derived against the scans dated before it. When an earlier scan is
 * corrected the casebook (and PFS) re-derive the later ones; the ODM export carries the change as an
 * Update of the later scan's derived items, audited to the event that moved them, so the last value the
 * file gives each of them is the casebook's.
 */
describe('ODM export: RECIST figures moved by another entry', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-08-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR): CommandEnvelope => ({ actor, source: 'api' });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-odm-recist-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await run(registerStudy(), { actor: ADMIN, source: 'cli' });
    await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility()));
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The last value the file gives each derived item of the scan form `repeatKey`. */
  const lastFigures = (doc: El, repeatKey: number): Record<string, string | null> => {
    const items = all(doc, 'ItemData').filter(
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

    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportOdm(store, out, { clock });
    const xml = Buffer.concat(chunks).toString('utf8');
    const doc = (create(xml).node as unknown as { documentElement: El }).documentElement;

    expect(lastFigures(doc, second.streamVersion)).toEqual({ sumofdiametersmm: '42', targetresponse: 'SD', overallresponse: 'SD' });
    const update = all(doc, 'ItemData').find((i) => i.getAttribute('ItemOID') === 'IT.TUMORASSESSMENTRECORDED.OVERALLRESPONSE' && i.getAttribute('TransactionType') === 'Update' && formOf(i).getAttribute('FormRepeatKey') === String(second.streamVersion))!;
    expect(all(update, 'SourceID')[0].textContent).toBe(correction.eventId);
    expect(all(update, 'ReasonForChange')[0].textContent).toContain('re-derived');
    expect(lastFigures(doc, first.streamVersion)).toMatchObject({ overallresponse: 'SD' });
    expect((await validateOdmXml(xml)).errors.map((e) => e.rawMessage)).toEqual([]);
  });
});
