import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { auditTrail, exportOdm, type AuditTrailRow } from '@trial-ledger/audit';
import { executeCommand, recordDataExport, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
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

const MONITOR = { userId: 'u-mona', username: 'mona', fullName: 'Mona Monitor', role: 'monitor' } as const;

/**
 * An export bound to a log position reads the ledger after the command that wrote it, as `replay --position`
 * does: an export "through position N" at an enrollment holds its roster entry too, never half a command.
 */
describe('an export bound to a log position reads through the end of its command', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR): CommandEnvelope => ({ actor, source: 'api' });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });

  /** S001 enrolled: SubjectEnrolled at `first`, SubjectAddedToRoster at `last`, one command. */
  const enrolled = async () => {
    await run(registerStudy(), { actor: ADMIN, source: 'cli' });
    await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility()));
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()));
    const enrollment = await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
    const [first, last] = enrollment.events.map((e) => e.globalPosition);
    expect(enrollment.events.map((e) => e.type)).toEqual(['SubjectEnrolled', 'SubjectAddedToRoster']);
    // Something after the enrollment, so that the head is not the command's end.
    await run(subjectCommand('RecordDose', dose(1, '2026-01-06')));
    return { first, last };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tl-export-bound-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given an enrollment at N, when an export is recorded through N, then DataExported names the end of its command', async () => {
    const { first, last } = await enrolled();
    const { event } = await recordDataExport(store, { kind: 'odm', format: 'xml', studyId: STUDY_ID, filter: {}, channel: 'cli', throughPosition: first }, { actor: MONITOR, source: 'cli' });
    expect(event.throughPosition).toBe(last);
  });

  it('given an enrollment at N, when the audit trail is read through N, then its roster entry is in it', async () => {
    const { first, last } = await enrolled();
    const rows: AuditTrailRow[] = [];
    for await (const row of auditTrail(store, { throughPosition: first })) rows.push(row);
    expect(rows.map((r) => r.position).at(-1)).toBe(last);
  });

  it('given an enrollment at N, when ODM is exported through N, then it names and reads through the end of its command', async () => {
    const { first, last } = await enrolled();
    const out = new PassThrough();
    out.resume();
    const summary = await exportOdm(store, out, { throughPosition: first, clock });
    expect(summary.headPosition).toBe(last);
  });
});
