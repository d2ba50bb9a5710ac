import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { executeCommand, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { subjectStreamId } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import {
  ADMIN,
  baselineAssessment,
  COORDINATOR,
  dose,
  eligibility,
  ENROLLMENT_DATE,
  INVESTIGATOR,
  registerStudy,
  screening,
  STUDY_ID,
  subjectCommand,
} from '../../libs/domain/src/subject/testing/subject.fixtures';

/**
 * A ledger written before the precision limits (0.001 mg) may hold a dose of 120.0005 mg. Correcting an
 * earlier entry re-checks the later ones for clinical consistency only, so that recorded value does not
 * block it; a correction of the old entry itself still gets the precision rule for its new value.
 */
describe('a dose recorded before the precision limit does not block corrections of earlier entries (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let dose1: string;
  let legacyDose: string;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR, extra: Partial<CommandEnvelope> = {}): CommandEnvelope => ({ actor, source: 'api', ...extra });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });
  const correct = (targetEventId: string, changes: Record<string, unknown>) => run(subjectCommand('CorrectEntry', { targetEventId, changes, reason: 'chart re-read' }), as(COORDINATOR));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-legacy-precision-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await run(registerStudy(), as(ADMIN, { source: 'cli' }));
    await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility()));
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()), as(COORDINATOR));
    await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
    const first = (await run(subjectCommand('RecordDose', dose(1, '2026-01-06')), as(COORDINATOR))).events[0];
    dose1 = first.eventId;
    // Cycle 2 as an earlier version recorded it: 120.0005 mg, finer than today's 0.001 mg.
    const streamId = subjectStreamId(STUDY_ID, 'S001');
    legacyDose = uuidv7();
    await store.append({
      writes: [{
        streamId,
        expectedVersion: await store.streamVersion(streamId),
        events: [{
          eventId: legacyDose,
          type: 'DoseAdministered',
          schemaVersion: 1,
          data: { ...(first.data as object), ...dose(2, '2026-02-03', { doseMg: 120.0005 }) },
          metadata: { ...first.metadata, correlationId: uuidv7(), causationId: null, idempotencyKey: null },
        }],
      }],
    });
    await expect(run(subjectCommand('RecordDose', dose(3, '2026-03-03', { doseMg: 120.0005 })), as(COORDINATOR))).rejects.toMatchObject({ code: 'VALIDATION.PRECISION' });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when cycle 1 is corrected, the correction is recorded (the later 120.0005 mg dose is not re-judged for precision)', async () => {
    const corrected = await correct(dose1, { lotNumber: 'LOT-7' });
    expect(corrected.events.map((e) => [e.type, e.data.targetEventId])).toEqual([['EntryCorrected', dose1]]);
  });

  it('when cycle 1 is moved so that the legacy cycle 2 falls off its window, its deviation is still detected', async () => {
    const corrected = await correct(dose1, { administeredOn: '2026-01-12' });
    expect(corrected.events.map((e) => e.type)).toEqual(['EntryCorrected', 'ProtocolDeviationDetected']);
    expect(corrected.events[1].data).toMatchObject({ category: 'dose-off-window', cycle: 2, relatedEventId: legacyDose });
  });

  it('when the legacy entry itself is corrected, its new value gets the precision rule', async () => {
    await expect(correct(legacyDose, { doseMg: 120.0004 })).rejects.toMatchObject({ code: 'VALIDATION.PRECISION' });
    await expect(correct(legacyDose, { lotNumber: 'LOT-7' })).rejects.toMatchObject({ code: 'VALIDATION.PRECISION' });
    const corrected = await correct(legacyDose, { doseMg: 120 });
    expect(corrected.events[0]).toMatchObject({ type: 'EntryCorrected', data: { targetEventId: legacyDose, before: { doseMg: 120.0005 }, after: { doseMg: 120 } } });
  });
});
