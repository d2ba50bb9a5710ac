import { join } from 'node:path';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { cli, tempDir } from '../cli/cli-harness';
import { buildPfsDiffLedger, INTERIM_AT, type PfsDiffLedger } from './support/pfs-diff-ledger';

describe('trial-ledger pfs diff (CLI, as a user runs it)', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${file}`];
  let ledger: PfsDiffLedger;

  beforeAll(async () => {
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    const sqlite = new SqliteEventStore(file, { clock });
    ledger = await buildPfsDiffLedger(sqlite, clock);
    await sqlite.close();
  });
  afterAll(() => dir.remove());

  it('prints the verdict, the figures before → after and each moved subject with the event behind it', async () => {
    const run = await cli([...store, 'pfs', 'diff', '--from-known-at', INTERIM_AT]);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('4 subjects changed: 1 late entry, 1 correction, 1 void, 1 new entry.');
    expect(run.stdout).toContain('Events 2 → 2 (0)   Censored 3 → 3 (0)');
    expect(run.stdout).toMatch(/S001 \(no\. 1\) changed: AVAL, CNSR, ADT, EVNTDESC, CNSDTDSC\n {2}before: ADT 2026-03-30 AVAL 85 CNSR 4/);
    expect(run.stdout).toContain(`late entry [decisive]: TumorAssessmentRecorded ${ledger.lateProgression.eventId}`);
    expect(run.stdout).toContain(`correction [decisive]: EntryCorrected ${ledger.correction.eventId}`);
    expect(run.stdout).toContain('reason: central radiology re-read: L1 measured 31 mm');
    expect(run.stdout).toContain(`voided TumorAssessmentRecorded ${ledger.voidedScan.eventId}`);
    expect(run.stdout).toContain(`new entry [decisive]: SubjectDied ${ledger.death.eventId}`);
  });

  it('labels a first side before the study was registered as an empty analysis', async () => {
    const run = await cli([...store, 'pfs', 'diff', '--from-position', '0']);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^From: as recorded through log position 0; cutoff none \(the study was not yet registered: an empty analysis\)$/m);
    expect(run.stdout).toMatch(/^Subjects 0 → 5 \(\+5\)/m);
  });

  it('names a side given by a log position as that position, never as "known at now"', async () => {
    const position = ledger.lateProgression.globalPosition - 1;
    const run = await cli([...store, 'pfs', 'diff', '--from-position', String(position)]);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^From: as recorded through log position ${position}; cutoff none$`, 'm'));
    expect(run.stdout).toMatch(/^To: {3}as recorded through log position \d+; cutoff none$/m);
    expect(run.stdout).not.toContain('as known at now');
  });

  it('--json prints the diff document; the cutoff form names the death dated between the two cuts', async () => {
    const run = await cli([...store, '--json', 'pfs', 'diff', '--from-cutoff', '2026-12-01', '--to-cutoff', '2026-12-31']);

    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ verdict: '1 subject changed: 1 entry dated between the cutoffs.', from: { cutoff: '2026-12-01' }, to: { cutoff: '2026-12-31' } });
    expect(doc.subjects[0].causes[0].eventId).toBe(ledger.death.eventId);
  });

  it('--cutoff applies to both sides', async () => {
    const run = await cli([...store, 'pfs', 'diff', '--from-known-at', INTERIM_AT, '--cutoff', '2026-07-01', '--json']);

    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect([doc.from.cutoff, doc.to.cutoff]).toEqual(['2026-07-01', '2026-07-01']);
    expect(doc.subjects.map((s: { subjectId: string }) => s.subjectId)).toEqual(['S001', 'S002', 'S003']);
  });

  it.each([
    // Options that cannot be answered together are usage errors, whatever the ledger holds (exit 2).
    ['no first side', [], 'PFS_DIFF.INVALID_OPTIONS', 2],
    ['a malformed position', ['--from-position', '3x'], 'CLI.INVALID_OPTION', 2],
    ['one cutoff and two', ['--from-cutoff', '2026-12-01', '--cutoff', '2026-12-01'], 'PFS_DIFF.INVALID_OPTIONS', 2],
    ['cutoffs in the wrong order', ['--from-cutoff', '2026-12-31', '--to-cutoff', '2026-12-01'], 'PFS_DIFF.INVALID_OPTIONS', 2],
    ['positions in the wrong order', ['--from-position', '20', '--to-position', '10'], 'PFS_DIFF.INVALID_OPTIONS', 2],
    ['instants in the wrong order', ['--from-known-at', '2026-12-02T00:00:00Z', '--to-known-at', '2026-12-01T00:00:00Z'], 'PFS_DIFF.INVALID_OPTIONS', 2],
    // Sides of two kinds are ordered on the ledger (exit 1); a second side before the study's registration is
    // still a first side after the second, not an unknown study.
    ['a first instant after a second position', ['--from-known-at', INTERIM_AT, '--to-position', '10'], 'PFS_DIFF.INVALID_OPTIONS', 1],
    ['a first instant after a second position that precedes the study', ['--from-known-at', INTERIM_AT, '--to-position', '0'], 'PFS_DIFF.INVALID_OPTIONS', 1],
    // A position the log has not reached is refused by the ledger, as a subject it does not hold (exit 1).
    ['a position beyond the head', ['--from-position', '999999'], 'REPLAY.POSITION_BEYOND_HEAD', 1],
    ['an unknown study', ['--study', 'constructor', '--from-known-at', INTERIM_AT], 'STUDY.NOT_FOUND', 1],
    ['the single analysis\'s --as-known-at', ['--from-known-at', INTERIM_AT, '--as-known-at', INTERIM_AT], 'CLI.INVALID_OPTION', 2],
  ])('refuses %s with a stable code and a non-zero status', async (_name, args, code, status) => {
    const run = await cli([...store, '--json', 'pfs', 'diff', ...args]);

    expect(run.status).toBe(status);
    expect(JSON.parse(run.stdout).error.code).toBe(code);
  });

  it('names the command-line options in a usage error, not the API fields', async () => {
    const noSide = await cli([...store, 'pfs', 'diff']);
    expect(noSide.stderr).toContain('name the first side: --from-known-at, --from-position or --from-cutoff');
    const both = await cli([...store, 'pfs', 'diff', '--from-cutoff', '2026-12-01', '--cutoff', '2026-12-01']);
    expect(both.stderr).toContain('give either --cutoff for both sides or --from-cutoff/--to-cutoff, not both');
  });

  it('refuses a store that does not exist, creating nothing', async () => {
    const run = await cli(['--store', `sqlite:${join(dir.path, 'missing.sqlite')}`, 'pfs', 'diff', '--from-known-at', INTERIM_AT]);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[STORE.NOT_FOUND]');
  });
});
