import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { appendBulk } from '../testing/audit-ledger.fixture';
import { ensureLedgerKey } from './ledger-key';
import { parseCheckpoints } from './signed-checkpoint';
import { superviseAutoCheckpoints } from './supervised-checkpoints';

const until = async (ok: () => boolean, ms = 10_000): Promise<void> => {
  for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
};

describe('superviseAutoCheckpoints: signing that fails is said once and started again', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'audit-supervised-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a checkpoint file that cannot be written for a while, when it can again, then signing resumes and signs the positions it missed', async () => {
    const store = new SqliteEventStore(':memory:', { pollMs: 10 });
    const key = ensureLedgerKey(join(dir, 'ledger.key.pem'));
    const checkpointDir = join(dir, 'checkpoints');
    const file = join(checkpointDir, 'auto.jsonl');
    const stopped: string[] = [];
    const resumed: number[] = [];
    const subscription = await superviseAutoCheckpoints(store, { key, file, every: 10 }, { onStopped: (e) => stopped.push((e as Error).message), onResumed: (p) => resumed.push(p) });
    try {
      await appendBulk(store, 12, 4, 7);
      await subscription.waitFor(12);
      // The directory the file lives in is now a plain file: every append fails (as on a full or failing disk)
      rmSync(checkpointDir, { recursive: true });
      writeFileSync(checkpointDir, 'not a directory');
      await appendBulk(store, 25, 4, 7);
      await until(() => stopped.length > 0);
      await new Promise((r) => setTimeout(r, 2_500)); // at least one more attempt, on the same cause
      expect(stopped).toHaveLength(1);
      expect(stopped[0]).toMatch(/ENOTDIR|EEXIST|not a directory/);

      // The file went with the directory: signing starts again from the first event
      rmSync(checkpointDir);
      mkdirSync(checkpointDir);
      await until(() => resumed.length > 0);
      await until(() => parseCheckpoints(readFileSync(file, 'utf8')).some((c) => c.position === 30));
      expect(resumed[0]).toBe(10);
      expect(parseCheckpoints(readFileSync(file, 'utf8')).map((c) => c.position)).toEqual([10, 20, 30]);
    } finally {
      await subscription.stop();
      await store.close();
    }
  }, 30_000);
});
