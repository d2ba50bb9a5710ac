import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { cli, PASSWORD, seedUsers, tempDir } from '../cli/cli-harness';
import { buildPfsDiffLedger } from '../pfs/support/pfs-diff-ledger';

/**
 * An insider edits a recorded scan in the SQLite file (triggers dropped, hash left as it was): S001's first
 * follow-up now shows a new lesion. The read-only views print what the store holds, so they must not read as a
 * clean answer: each names the first damaged position on stderr and exits 3, as `verify` does.
 */
describe('CLI read-only views of a ledger whose content no longer matches its hashes', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${file}`];
  let damaged = 0;

  beforeAll(async () => {
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    const sqlite = new SqliteEventStore(file, { clock });
    await buildPfsDiffLedger(sqlite, clock);
    await sqlite.close();
    const attacker = new SqliteAttacker(file);
    try {
      const row = attacker.db
        .prepare(`SELECT global_position FROM events WHERE type = 'TumorAssessmentRecorded' AND stream_id LIKE '%-S001' AND data LIKE '%"baseline":false%' ORDER BY global_position LIMIT 1`)
        .get() as { global_position: number };
      damaged = row.global_position;
      expect(attacker.exec(`UPDATE events SET data = replace(data, '"newLesions":false', '"newLesions":true') WHERE global_position = ?`, damaged)).toBe(1);
    } finally {
      attacker.db.close();
    }
  });
  afterAll(() => dir.remove());

  it.each([
    ['replay --subject', ['replay', '--subject', 'S001']],
    ['replay (the study overview)', ['replay']],
    ['audit-trail', ['audit-trail', '--subject', 'S001']],
    ['audit-trail review', ['audit-trail', 'review']],
    ['pfs', ['pfs']],
    ['pfs diff', ['pfs', 'diff', '--from-position', '0']],
    ['study show', ['study', 'show']],
  ])('given an event edited in the store file, when %s runs, then it still prints what it read, names the damage and exits 3', async (_name, argv) => {
    for (const json of [false, true]) {
      const run = await cli([...store, ...(json ? ['--json'] : []), ...argv]);
      expect(run.status).toBe(3);
      expect(run.stdout.length).toBeGreaterThan(0);
      expect(run.stderr).toContain(`LEDGER DAMAGED at position ${damaged}: content-altered`);
      expect(run.stderr).toContain('[LEDGER.TAMPERED]');
    }
  });

  it('given the same ledger, when a replay reads only the events before the damaged one, then it is a clean answer (exit 0)', async () => {
    const run = await cli([...store, 'replay', '--subject', 'S001', '--position', String(damaged - 1)]);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('LEDGER DAMAGED');
  });
});

describe('CLI read-only views of a ledger whose last events were deleted behind a signed checkpoint', () => {
  const dir = tempDir();
  const file = join(dir.path, 'data', 'ledger.sqlite');
  const keyDir = join(dir.path, 'keys');
  const store = ['--store', `sqlite:${file}`, '--key-dir', keyDir];
  let head = 0;

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'data'));
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    const sqlite = new SqliteEventStore(file, { clock });
    await buildPfsDiffLedger(sqlite, clock);
    head = (await sqlite.head()).position;
    await sqlite.close();
    expect((await cli([...store, 'checkpoint'])).status).toBe(0);
    // The death recorded last, and what follows it, removed: the chain of what is left is intact.
    const attacker = new SqliteAttacker(file);
    try {
      const { position } = attacker.db.prepare(`SELECT max(global_position) AS position FROM events WHERE type = 'SubjectDied'`).get() as { position: number };
      expect(attacker.exec('DELETE FROM events WHERE global_position >= ?', position)).toBeGreaterThan(0);
    } finally {
      attacker.db.close();
    }
  });
  afterAll(() => dir.remove());

  it.each([
    ['replay', ['replay']],
    ['pfs', ['pfs']],
    ['audit-trail', ['audit-trail']],
  ])('when %s runs, then it names the events missing behind the checkpoint and exits 3', async (_name, argv) => {
    const run = await cli([...store, ...argv]);
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`LEDGER DAMAGED at position \\d+: truncated — .*–${head} are missing`));
  });
});

/**
 * The monitoring views read the same store: `query list` and `query show` print the queries of a ledger whose
 * content was edited; each names the damage and exits 3 once it has printed, as the other read-only views do.
 * The monitoring commands that write — `sdv` and every step of a query — are refused before anything is
 * written: exit 3, `LEDGER.TAMPERED` with the first damaged position (they recorded, then named the damage).
 */
describe('CLI monitoring views of a ledger whose content no longer matches its hashes', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const url = `sqlite:${file}`;
  const as = (user: string, ...argv: string[]) => cli(['--store', url, '--as', user, ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });
  let damaged = 0;
  let queryId = '';
  let enrolledId = '';

  beforeAll(async () => {
    const clock = new FixedClock('2026-01-01T00:00:00.000Z');
    const sqlite = new SqliteEventStore(file, { clock });
    await buildPfsDiffLedger(sqlite, clock);
    await sqlite.close();
    await seedUsers(url);
    const attacker = new SqliteAttacker(file);
    let scanId: string;
    try {
      const row = attacker.db
        .prepare(`SELECT global_position, event_id FROM events WHERE type = 'TumorAssessmentRecorded' AND stream_id LIKE '%-S001' AND data LIKE '%"baseline":false%' ORDER BY global_position LIMIT 1`)
        .get() as { global_position: number; event_id: string };
      [damaged, scanId] = [row.global_position, row.event_id];
      enrolledId = (attacker.db.prepare(`SELECT event_id FROM events WHERE type = 'SubjectEnrolled' AND stream_id LIKE '%-S001'`).get() as { event_id: string }).event_id;
    } finally {
      attacker.db.close();
    }
    const opened = await as('monitor', '--json', 'query', 'open', '--subject', 'S001', '--event', scanId, '--text', 'Is the new lesion on the source report?');
    expect(opened.status).toBe(0);
    queryId = (JSON.parse(opened.stdout) as { queryId: string }).queryId;
    const edit = new SqliteAttacker(file);
    try {
      expect(edit.exec(`UPDATE events SET data = replace(data, '"newLesions":false', '"newLesions":true') WHERE global_position = ?`, damaged)).toBe(1);
    } finally {
      edit.db.close();
    }
  });
  afterAll(() => dir.remove());

  it.each([
    ['query list', () => ['query', 'list']],
    ['query show', () => ['query', 'show', queryId]],
  ])('given an event edited in the store file, when %s runs, then it still prints, names the damage and exits 3', async (_name, argv) => {
    for (const json of [false, true]) {
      const run = await as('monitor', ...(json ? ['--json'] : []), ...argv());
      expect([run.status, run.stdout.length > 0]).toEqual([3, true]);
      expect(run.stderr).toContain(`LEDGER DAMAGED at position ${damaged}: content-altered`);
      expect(run.stderr).toContain('[LEDGER.TAMPERED]');
    }
  });

  const head = async (): Promise<number> => {
    const sqlite = new SqliteEventStore(file);
    try {
      return (await sqlite.head()).position;
    } finally {
      await sqlite.close();
    }
  };

  it.each([
    ['sdv', 'monitor', () => ['sdv', '--subject', 'S001', '--event', enrolledId]],
    ['query open', 'monitor', () => ['query', 'open', '--subject', 'S001', '--event', enrolledId, '--text', 'Enrollment date on the source?']],
    ['query respond', 'coordinator', () => ['query', 'respond', queryId, '--text', 'Checked', '--category', 'confirmed-correct']],
    ['query close', 'monitor', () => ['query', 'close', queryId, '--text', 'Resolved']],
    ['query cancel', 'monitor', () => ['query', 'cancel', queryId]],
  ])('given an event edited in the store file, when %s runs, then it is refused before anything is written (exit 3, LEDGER.TAMPERED)', async (_name, user, argv) => {
    for (const json of [false, true]) {
      const before = await head();
      const run = await as(user, ...(json ? ['--json'] : []), ...argv());
      expect(run.status).toBe(3);
      if (json) expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'LEDGER.TAMPERED', details: { position: damaged } } });
      else expect(run.stderr).toContain(`LEDGER DAMAGED at position ${damaged}: content-altered`);
      expect(await head()).toBe(before);
    }
  });
});
