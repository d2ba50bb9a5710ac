import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { cli, tempDir } from './cli-harness';

/**
 * The environment places the signing key, the checkpoint file and the trust file. Placed on one of the
 * store's own files they would be destroyed by the store itself: SQLite deletes `ledger.sqlite-wal`
 * when the store closes, so a key created there signed one checkpoint and was gone, and the next run
 * minted another key — every checkpoint a regulator kept orphaned, and no error anywhere.
 */
describe('the key, checkpoint and trust files may not be placed on the ledger’s own files', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const file = join(data, 'ledger.sqlite');
  const store = `sqlite:${file}`;
  const keyDir = join(dir.path, 'keys');
  afterAll(() => dir.remove());

  beforeAll(async () => {
    mkdirSync(data);
    const s = new SqliteEventStore(file);
    await seedAuditLedger(s);
    await s.close();
    symlinkSync(data, join(dir.path, 'data-link'));
  });

  it.each([
    ['LEDGER_KEY_FILE on the store’s -wal', ['checkpoint'], { LEDGER_KEY_FILE: `${file}-wal` }],
    ['LEDGER_KEY_FILE on the store’s -journal, through a symlinked directory', ['checkpoint'], { LEDGER_KEY_FILE: join(dir.path, 'data-link', 'ledger.sqlite-journal') }],
    ['LEDGER_CHECKPOINT_FILE on the store’s -wal', ['checkpoint'], { LEDGER_CHECKPOINT_FILE: `${file}-wal` }],
    ['LEDGER_CHECKPOINT_FILE on the sessions file', ['checkpoint'], { LEDGER_CHECKPOINT_FILE: `${file}.sessions` }],
    ['LEDGER_CHECKPOINT_FILE on the signing key', ['checkpoint'], { LEDGER_CHECKPOINT_FILE: join(keyDir, 'ledger.key.pem') }],
    ['TRIAL_LEDGER_TRUST_FILE on the signing key', ['verify'], { TRIAL_LEDGER_TRUST_FILE: join(keyDir, 'ledger.key.pem') }],
  ])('%s: refused before anything runs (CONFIG.FILE_CLASH, exit 2), nothing created', async (_what, argv, env) => {
    const run = await cli(['--store', store, '--key-dir', keyDir, ...argv], env);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('[CONFIG.FILE_CLASH]');
    expect(readdirSync(data).sort()).toEqual(['ledger.sqlite']);
    expect(existsSync(keyDir)).toBe(false);
  });

  it('the files in their own places: checkpoint signs and appends as before', async () => {
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);

    expect(run.status).toBe(0);
    expect(existsSync(join(keyDir, 'ledger.key.pem'))).toBe(true);
    expect(existsSync(join(data, 'ledger.checkpoints.jsonl'))).toBe(true);
  });
});
