import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { cli, tempDir } from './cli-harness';

/**
 * `proof consistency` signs the verified head (an anchor) before it signs a tree size it is given. A
 * proof refused for its sizes must sign nothing: with a kept checkpoint file as --from and a smaller size
 * as --to, the sizes were compared only after the anchor had been signed and appended to the checkpoint file.
 */
describe('proof consistency with a kept tree head larger than the size asked for', () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${ledger}`];
  const checkpoints = join(dir.path, 'ledger.checkpoints.jsonl');
  const kept = join(dir.path, 'kept.jsonl');

  beforeAll(async () => {
    const s = new SqliteEventStore(ledger);
    await seedAuditLedger(s);
    await s.close();
    expect((await cli([...store, 'checkpoint'])).status).toBe(0);
    copyFileSync(checkpoints, kept);
  });
  afterAll(() => dir.remove());

  it('is PROOF.INVALID_RANGE and signs no checkpoint', async () => {
    const before = readFileSync(checkpoints, 'utf8');
    const run = await cli([...store, 'proof', 'consistency', '--from', kept, '--to', '2', '--out', join(dir.path, 'c.json')]);
    expect(run).toMatchObject({ status: 1, stderr: expect.stringContaining('[PROOF.INVALID_RANGE]') });
    expect(readFileSync(checkpoints, 'utf8')).toBe(before);
  });
});
