import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { auditTrail, exportOdm, renderLedgerReport } from '@trial-ledger/audit';
import { executeCommand, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { subjectStreamId } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore, verifyStore } from '@trial-ledger/event-store';
import { replaySubject } from '@trial-ledger/projections';
import { ADMIN, COORDINATOR, eligibility, INVESTIGATOR, registerStudy, screening, STUDY_ID, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';

const LEGACY = 'primary-site-not-hindgut';
const CURRENT = 'primary-site-not-allowed';

/**
 * A ledger recorded before the primary-site criterion was named protocol-neutrally holds screen failures
 * naming `primary-site-not-hindgut`. Its stored events are never rewritten; every reader shows them as
 * the one criterion `primary-site-not-allowed`, and a correction of such an assessment re-checks it
 * without counting the renamed id as a change of outcome.
 */
describe('a screen failure recorded with the legacy primary-site criterion id (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let legacyAssessment: string;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR, extra: Partial<CommandEnvelope> = {}): CommandEnvelope => ({ actor, source: 'api', ...extra });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });
  const correct = (targetEventId: string, changes: Record<string, unknown>) => run(subjectCommand('CorrectEntry', { targetEventId, changes, reason: 'chart re-read' }, 'S001'));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-legacy-criterion-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await run(registerStudy(), as(ADMIN, { source: 'cli' }));
    const screened = (await run(subjectCommand('ScreenSubject', screening(), 'S001'), as(COORDINATOR))).events[0];
    // S001's ileal primary as an earlier version recorded its failure: schema version 1, the legacy id.
    const streamId = subjectStreamId(STUDY_ID, 'S001');
    legacyAssessment = uuidv7();
    await store.append({
      writes: [{
        streamId,
        expectedVersion: await store.streamVersion(streamId),
        events: [{
          eventId: legacyAssessment,
          type: 'SubjectScreenFailed',
          schemaVersion: 1,
          data: { ...eligibility({ primarySite: 'ileum' }), failedCriteria: [LEGACY] },
          metadata: { ...screened.metadata, actor: INVESTIGATOR, correlationId: uuidv7(), causationId: null, idempotencyKey: null },
        }],
      }],
    });
    // S002 fails the same criterion today.
    await run(subjectCommand('ScreenSubject', screening(), 'S002'), as(COORDINATOR));
    const fresh = (await run(subjectCommand('AssessEligibility', eligibility({ primarySite: 'jejunum' }), 'S002'))).events[0];
    expect(fresh).toMatchObject({ type: 'SubjectScreenFailed', schemaVersion: 2, data: { failedCriteria: [CURRENT] } });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the stored event as recorded (its bytes are in the hash chain) and replays it as primary-site-not-allowed', async () => {
    expect(await store.getEvent(legacyAssessment)).toMatchObject({ schemaVersion: 1, data: { failedCriteria: [LEGACY] } });
    expect((await verifyStore(store)).fault).toBeNull();
    const [s1, s2] = await Promise.all([replaySubject(store, STUDY_ID, 'S001'), replaySubject(store, STUDY_ID, 'S002')]);
    expect(s1.casebook.eligibility).toMatchObject({ confirmed: false, failedCriteria: [CURRENT] });
    // Counted by criterion, the two screen failures are one criterion, not two.
    expect(new Set([...s1.casebook.eligibility!.failedCriteria, ...s2.casebook.eligibility!.failedCriteria])).toEqual(new Set([CURRENT]));
  });

  it('shows the criterion as primary-site-not-allowed in the audit trail, the ODM export and the printable report', async () => {
    const rows = [];
    for await (const row of auditTrail(store, { studyId: STUDY_ID })) if (row.eventType === 'SubjectScreenFailed') rows.push(row);
    expect(rows.map((r) => r.fields.failedCriteria)).toEqual([[CURRENT], [CURRENT]]);

    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportOdm(store, out, { clock });
    const xml = Buffer.concat(chunks).toString('utf8');
    expect(xml).toContain(CURRENT);
    expect(xml).not.toContain(LEGACY);

    const page = await renderLedgerReport(store, { clock });
    expect(page).toContain(CURRENT);
    expect(page).not.toContain(LEGACY);
  });

  it('when the old assessment is corrected without touching the site, the failure is re-checked under the new id and before/after name only the corrected field', async () => {
    const corrected = await correct(legacyAssessment, { ecog: 0 });
    expect(corrected.events.map((e) => e.type)).toEqual(['EntryCorrected']);
    expect(corrected.events[0].data).toEqual({ targetEventId: legacyAssessment, targetType: 'SubjectScreenFailed', before: { ecog: 1 }, after: { ecog: 0 }, reason: 'chart re-read' });
    expect((await replaySubject(store, STUDY_ID, 'S001')).casebook.eligibility).toMatchObject({ confirmed: false, failedCriteria: [CURRENT], inputs: { ecog: 0 } });
  });

  it('when the old assessment is corrected to a listed site, it becomes EligibilityConfirmed and the criterion it no longer fails is named by its current id', async () => {
    const corrected = await correct(legacyAssessment, { primarySite: 'rectum' });
    expect(corrected.events[0].data).toMatchObject({
      before: { primarySite: 'ileum', failedCriteria: [CURRENT] },
      after: { primarySite: 'rectum', failedCriteria: [] },
      resultingType: 'EligibilityConfirmed',
    });
    expect((await replaySubject(store, STUDY_ID, 'S001')).casebook.eligibility).toMatchObject({ confirmed: true, failedCriteria: [] });
  });
});
