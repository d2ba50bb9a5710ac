import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { rewriteDoseAndRecompute } from '../../libs/audit/src/testing/sqlite-attacker';
import { cli, tempDir } from './cli-harness';

/**
 * `proof consistency --from N --to M` signs tree heads for the sizes asked with the operator's key. On a
 * log rewritten behind the store's back (payload changed, chain and stored tree recomputed by someone
 * who can write the data directory but does not hold the key) it must not sign: before, it signed both
 * heads over the rewritten tree and reported them consistent, handing the rewrite genuine signatures.
 */
describe('proof consistency on a rewritten ledger', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const keyDir = dir.keyDir;
  const checkpoints = join(dir.path, 'ledger.checkpoints.jsonl');

  beforeAll(async () => {
    const s = new SqliteEventStore(db);
    const seeded = await seedAuditLedger(s);
    await s.close();
    const signed = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
    if (signed.status !== 0) throw new Error(signed.stderr);
    rewriteDoseAndRecompute(db, seeded.doseToCorrect);
  });
  afterAll(() => dir.remove());

  it('refuses with LEDGER.TAMPERED, writes no proof and signs no new checkpoint', async () => {
    const out = join(dir.path, 'proof.json');
    const before = readFileSync(checkpoints, 'utf8');
    const run = await cli(['--store', store, '--key-dir', keyDir, 'proof', 'consistency', '--from', '3', '--to', '20', '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER.TAMPERED]');
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(checkpoints, 'utf8')).toBe(before);
  });
});
