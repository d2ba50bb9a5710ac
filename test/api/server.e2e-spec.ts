import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { startServer } from '../../apps/api/src/main';

describe('startServer (used by `trial-ledger serve`)', () => {
  it('given an open store, when started on port 0, then it listens on loopback and answers /health over real HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-serve-'));
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    const server = await startServer({ store, port: 0, logger: false });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${server.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', info: { store: { status: 'up' }, readModels: { status: 'up' } } });
    } finally {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
