import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand, type Command, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { commandEndAt, FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { loadStudyPfs } from '@trial-ledger/pfs';
import { cli } from '../cli/cli-harness';
import { replayStudyOverview, replaySubject, resolveAsOf } from '@trial-ledger/projections';
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
 * A position bound means "the ledger after the command that wrote event N": one command's atomic append
 * (an enrollment and its roster entry, a dose and the deviation detected with it) is never cut in half.
 */
describe('a log position bound resolves to the end of the command that wrote it', () => {
  let dir: string;
  let store: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const as = (actor = INVESTIGATOR): CommandEnvelope => ({ actor, source: 'api' });
  const run = (command: Command, envelope: CommandEnvelope = as()) => executeCommand(store, command, envelope, { clock });

  /** S001 screened, eligible, baseline, then enrolled: SubjectEnrolled (subject stream) + SubjectAddedToRoster (study stream). */
  const enrolled = async () => {
    await run(registerStudy(), { actor: ADMIN, source: 'cli' });
    await run(subjectCommand('ScreenSubject', screening()), as(COORDINATOR));
    await run(subjectCommand('AssessEligibility', eligibility()));
    await run(subjectCommand('RecordTumorAssessment', baselineAssessment()));
    const enrollment = await run(subjectCommand('EnrollSubject', { enrollmentDate: ENROLLMENT_DATE }));
    expect(enrollment.events.map((e) => e.type)).toEqual(['SubjectEnrolled', 'SubjectAddedToRoster']);
    const [first, last] = enrollment.events.map((e) => e.globalPosition);
    expect(last).toBe(first + 1);
    return { first, last };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tl-bound-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given an enrollment at N, when replayed to N, then the bound is its last event and the roster holds the subject', async () => {
    const { first, last } = await enrolled();
    expect(await commandEndAt(store, first)).toBe(last);
    const casebook = await replaySubject(store, STUDY_ID, 'S001', { toPosition: first });
    expect(casebook.asOf.position).toBe(last);
    const { overview, asOf } = await replayStudyOverview(store, STUDY_ID, { toPosition: first });
    expect(asOf.position).toBe(last);
    expect(overview.roster.map((r) => r.subjectId)).toEqual(['S001']);
  });

  it('given an enrollment at N, when `replay --position N` and `pfs diff --from-position N` are run, then they read through its roster entry and name that position', async () => {
    const { first, last } = await enrolled();
    const ledger = ['--store', `sqlite:${join(dir, 'ledger.sqlite')}`];
    const replay = await cli([...ledger, 'replay', '--position', String(first)]);
    expect(replay.status).toBe(0);
    expect(replay.stdout).toContain(`through log position ${last}`);
    const diff = await cli([...ledger, 'pfs', 'diff', '--from-position', String(first), '--to-position', String(last)]);
    expect(diff.status).toBe(0);
    expect(diff.stdout).toMatch(new RegExp(`^From: as recorded through log position ${last}; cutoff none$`, 'm'));
    expect(diff.stdout).toMatch(/^Subjects 1 → 1 \(0\)/m);
  });

  it('given an enrollment at N, when the PFS analysis is taken through N, then it includes the enrolled subject', async () => {
    const { first, last } = await enrolled();
    const pfs = await loadStudyPfs(store, STUDY_ID, { toPosition: first });
    expect(pfs.asOf.position).toBe(last);
    expect(pfs.subjects.map((s) => s.subjectId)).toEqual(['S001']);
  });

  it("given a position at a command's last event, or at a single-event command, then the bound is unchanged", async () => {
    const { first, last } = await enrolled();
    expect(await commandEndAt(store, last)).toBe(last);
    expect(await commandEndAt(store, first - 1)).toBe(first - 1);
    expect(await commandEndAt(store, 0)).toBe(0);
    expect((await resolveAsOf(store, { toPosition: first - 1 })).position).toBe(first - 1);
  });

  it('given a dose with its detected deviation, when bound at the dose, then the deviation is included', async () => {
    await enrolled();
    await run(subjectCommand('RecordDose', dose(1, '2026-01-06')));
    const late = await run(subjectCommand('RecordDose', dose(2, '2026-03-30')));
    const types = late.events.map((e) => e.type);
    expect(types).toContain('ProtocolDeviationDetected');
    expect(await commandEndAt(store, late.events[0].globalPosition)).toBe(late.lastPosition);
  });

  it('given a position beyond the head, then it is still refused as beyond the head', async () => {
    await enrolled();
    const head = (await store.head()).position;
    await expect(resolveAsOf(store, { toPosition: head + 1 })).rejects.toMatchObject({ code: 'REPLAY.POSITION_BEYOND_HEAD' });
  });
});
