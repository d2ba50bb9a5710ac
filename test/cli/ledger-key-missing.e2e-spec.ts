import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { cli, PASSWORD, tempDir } from './cli-harness';

/**
 * The signing key is created once, at set-up. A ledger whose checkpoints were signed by a key that is
 * no longer in the key directory must not get a new one silently: every checkpoint an auditor holds
 * would be orphaned, and the new public key handed out would vouch for whatever the log now holds.
 */
describe('checkpoint: the ledger key gone from the key directory, its checkpoints still there', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const ledger = join(data, 'ledger.sqlite');
  const keyDir = join(dir.path, 'keys');
  const store = ['--store', `sqlite:${ledger}`, '--key-dir', keyDir];
  const checkpoints = join(data, 'ledger.checkpoints.jsonl');

  beforeAll(async () => {
    mkdirSync(data);
    mkdirSync(keyDir, { mode: 0o700 });
    const s = new SqliteEventStore(ledger);
    await seedAuditLedger(s);
    await s.close();
  });
  afterAll(() => dir.remove());

  it('refuses (LEDGER_KEY.MISSING) to create another key and signs nothing; with the key restored, it signs', async () => {
    expect((await cli([...store, 'checkpoint'])).status).toBe(0);
    const signed = readFileSync(checkpoints, 'utf8');
    renameSync(join(keyDir, 'ledger.key.pem'), join(dir.path, 'moved.key.pem'));
    for (const argv of [['checkpoint'], ['proof', 'inclusion', '--position', '2', '--out', join(dir.path, 'p.json')]]) {
      const run = await cli([...store, ...argv]);
      expect(run).toMatchObject({ status: 1, stderr: expect.stringContaining('[LEDGER_KEY.MISSING]') });
      expect(existsSync(join(keyDir, 'ledger.key.pem'))).toBe(false);
      expect(readFileSync(checkpoints, 'utf8')).toBe(signed);
    }
    renameSync(join(dir.path, 'moved.key.pem'), join(keyDir, 'ledger.key.pem'));
    expect((await cli([...store, 'checkpoint'])).status).toBe(0);
  });
});

describe('users create-admin: no key yet, but a checkpoint file beside the store', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('refuses (LEDGER_KEY.MISSING) before the administrator is recorded', async () => {
    // The key directory beside the store's directory, never inside it (LEDGER_KEY.INSIDE_STORE_DIR).
    const ledger = join(dir.path, 'data', 'ledger.sqlite');
    const keyDir = join(dir.path, 'keys');
    mkdirSync(keyDir, { mode: 0o700 });
    mkdirSync(join(dir.path, 'data'));
    writeFileSync(join(dir.path, 'data', 'ledger.checkpoints.jsonl'), '{"note":"kept from the ledger that was here"}\n');
    const run = await cli(['--store', `sqlite:${ledger}`, '--key-dir', keyDir, 'users', 'create-admin', '--username', 'admin', '--full-name', 'Ada Admin'], {
      TRIAL_LEDGER_PASSWORD: PASSWORD,
    });
    expect(run).toMatchObject({ status: 1, stderr: expect.stringContaining('[LEDGER_KEY.MISSING]') });
    expect(existsSync(join(keyDir, 'ledger.key.pem'))).toBe(false);
    const store = new SqliteEventStore(ledger);
    try {
      expect((await store.head()).position).toBe(0);
    } finally {
      await store.close();
    }
  });
});
