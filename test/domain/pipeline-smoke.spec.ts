import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand } from '@trial-ledger/command-pipeline';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { ADMIN, COORDINATOR, INVESTIGATOR, ENROLLMENT_DATE, dose, eligibility, registerStudy, screening, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';

describe('executeCommand (smoke)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tl-domain-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a registered study, when a subject is screened, assessed, enrolled and dosed, then every event is stored', async () => {
    await executeCommand(store, registerStudy(), { actor: ADMIN, source: 'cli' }, { clock });
    await executeCommand(store, subjectCommand('ScreenSubject', screening()), { actor: COORDINATOR, source: 'api' }, { clock });
    await executeCommand(store, subjectCommand('AssessEligibility', eligibility()), { actor: INVESTIGATOR, source: 'api' }, { clock });
    const enrolled = await executeCommand(store, subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }), { actor: INVESTIGATOR, source: 'api' }, { clock });
    expect(enrolled.events.map((e) => [e.streamId, e.type])).toEqual([
      ['subject-LANR-HGNET-01-S001', 'SubjectEnrolled'],
      ['study-LANR-HGNET-01', 'SubjectAddedToRoster'],
    ]);
    const dosed = await executeCommand(store, subjectCommand('RecordDose', dose(1, '2026-01-20')), { actor: COORDINATOR, source: 'api' }, { clock });
    expect(dosed.events.map((e) => e.type)).toEqual(['DoseAdministered', 'ProtocolDeviationDetected']);
    expect(dosed.events[0].metadata.protocolVersion).toBe(1);
  });
});
