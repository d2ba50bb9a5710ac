import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore } from '@trial-ledger/event-store';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { PASSWORD, cli, seedUsers, tempDir } from '../cli/cli-harness';

/**
 * An insider with write access to the SQLite file edits a recorded value in place (triggers dropped, the
 * hash left as it was). `verify` names the position; an export would hand the altered value on as the
 * recorded one, so none is made, and nothing is recorded.
 */
describe('CLI exports of a ledger whose content no longer matches its hashes', () => {
  let dir: { path: string; remove(): void };
  let file: string;
  let store: string;
  const headPosition = async (): Promise<number> => {
    const s = await openEventStore(store);
    try {
      return (await s.head()).position;
    } finally {
      await s.close();
    }
  };

  beforeEach(async () => {
    dir = tempDir();
    file = join(dir.path, 'ledger.sqlite');
    store = `sqlite:${file}`;
    await seedUsers(store);
    const attacker = new SqliteAttacker(file);
    try {
      const changed = attacker.exec(`UPDATE events SET data = replace(data, '"Test coordinator"', '"Test investigator"') WHERE type = 'UserCreated' AND data LIKE '%"Test coordinator"%'`);
      expect(changed).toBe(1);
    } finally {
      attacker.db.close();
    }
  });
  afterEach(() => dir.remove());

  it.each([
    ['export odm', ['export', 'odm'], 'study.odm.xml'],
    ['export audit-trail', ['export', 'audit-trail', '--format', 'csv'], 'trail.csv'],
  ])('given an event edited in the store file, when %s runs, then it exits 1 with LEDGER.TAMPERED, writes no file and records nothing', async (_name, argv, out) => {
    const before = await headPosition();
    const run = await cli(['--store', store, '--as', 'monitor', ...argv, '--out', join(dir.path, out)], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER.TAMPERED]');
    expect(run.stderr).toMatch(/LEDGER DAMAGED at position \d+: content-altered/);
    expect(existsSync(join(dir.path, out))).toBe(false);
    expect(await headPosition()).toBe(before);
  });

  it('given the same ledger, when verify runs, then it names the same damage (exit 3)', async () => {
    const run = await cli(['--store', store, 'verify']);
    expect(run.status).toBe(3);
    expect(`${run.stdout}${run.stderr}`).toMatch(/LEDGER DAMAGED at position \d+: content-altered/);
  });
});

/**
 * The last event deleted behind a signed checkpoint: the chain of what is left is intact, so only the checkpoint
 * shows the damage. An export makes no copy of it either.
 */
describe('CLI exports of a ledger whose last event was deleted behind a signed checkpoint', () => {
  let dir: { path: string; remove(): void };
  let file: string;
  let store: string;
  let keyDir: string;

  beforeEach(async () => {
    dir = tempDir();
    mkdirSync(join(dir.path, 'data'));
    file = join(dir.path, 'data', 'ledger.sqlite');
    keyDir = join(dir.path, 'keys');
    store = `sqlite:${file}`;
    await seedUsers(store);
    expect((await cli(['--store', store, '--key-dir', keyDir, 'checkpoint'])).status).toBe(0);
    const attacker = new SqliteAttacker(file);
    try {
      expect(attacker.exec('DELETE FROM events WHERE global_position = (SELECT max(global_position) FROM events)')).toBe(1);
    } finally {
      attacker.db.close();
    }
  });
  afterEach(() => dir.remove());

  it('when export audit-trail runs, then it exits 1 with LEDGER.TAMPERED naming the missing event and writes no file', async () => {
    const out = join(dir.path, 'trail.csv');
    const run = await cli(['--store', store, '--key-dir', keyDir, '--as', 'monitor', 'export', 'audit-trail', '--format', 'csv', '--out', out], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER.TAMPERED]');
    expect(run.stderr).toMatch(/LEDGER DAMAGED at position \d+: truncated/);
    expect(existsSync(out)).toBe(false);
  });
});
